package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cgotrace/cgotrace/docs"
)

func newExplainCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "explain [CODE]",
		Short: "Explain a diagnosis code: what it means, causes, fixes, an example",
		Long: `explain prints the section of docs/diagnoses.md for a diagnosis code (the
"code" of a report's diagnosis, e.g. library-dev-missing): what it means,
the usual causes, the fix on Debian/Ubuntu, Fedora, Alpine, macOS and
Windows/MSYS2 where they differ, and a minimal example. Without CODE it
lists the codes.

Exit status: 0, or 2 for an unknown code.`,
		Example: `  cgotrace explain library-dev-missing
  cgotrace explain`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				fmt.Fprintln(g.stdout, strings.Join(docs.Codes(), "\n"))
				return nil
			}
			text, ok := docs.Explain(args[0])
			if !ok {
				return usageErrorf("unknown diagnosis code %q ('cgotrace explain' lists them)", args[0])
			}
			_, err := fmt.Fprint(g.stdout, text)
			return err
		},
	}
}
