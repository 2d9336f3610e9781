// Command infermargin is the one binary of InferMargin. Each subcommand
// parses its flags, wires the packages together and runs them; the
// logic lives in the packages.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:   "infermargin",
		Short: "Benchmark AI unit economics without sharing your numbers",
		Long: "InferMargin compares how much of each dollar of AI revenue " +
			"goes to LLM API bills across similar companies, using Prio3 " +
			"secret sharing between two aggregators so that no one sees " +
			"one company's figures.",
		Example: "  infermargin demo\n" +
			"  infermargin aggregator --config leader.toml",
		SilenceUsage:  true,
		SilenceErrors: true, // main prints the error once
	}
	root.AddCommand(demoCommand(), aggregatorCommand(), collectCommand(),
		orgCommand(), dashboardCommand(), adminCommand(),
		simulateCommand())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "infermargin:", err)
		os.Exit(1)
	}
}
