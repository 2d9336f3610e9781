// Package infermargin is the root of the InferMargin module. It holds no
// code of its own; the architecture lives in the folders below it
// (methodology, crypto, aggregation, client, server, cmd) and is described
// in DESIGN.md.
package infermargin
