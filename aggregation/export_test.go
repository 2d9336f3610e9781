package aggregation

// PrepInit exposes the aggregator's decrypt-and-prepare step to the
// benchmarks in package aggregation_test.
func (a *Aggregator) PrepInit(r *Report) error {
	_, _, err := a.prepInit(r)
	return err
}
