package main

import (
	"os"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestCommandsDoc checks docs/commands.md against the cobra tree: every
// command has a section ("## analyze", "## pkg-config explain"), and
// every flag of it, long and short, appears in that section (the own
// flags of build, test and install, which they parse themselves, in
// their sections); the global flags appear
// before the first section.
func TestCommandsDoc(t *testing.T) {
	data, err := os.ReadFile("../../docs/commands.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	parts := strings.Split("\n"+string(data), "\n## ")
	sections[""] = parts[0]
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, "\n")
		sections[name] = body
	}
	check := func(section string, f *pflag.Flag) {
		body := sections[section]
		if !strings.Contains(body, "`--"+f.Name) && !strings.Contains(body, "--"+f.Name+" ") {
			t.Errorf("docs/commands.md, %q: no --%s", section, f.Name)
		}
		if f.Shorthand != "" && !strings.Contains(body, "`-"+f.Shorthand+"`") {
			t.Errorf("docs/commands.md, %q: no -%s (short for --%s)", section, f.Shorthand, f.Name)
		}
	}
	root := newRootCmd(&globals{log: logrus.New()})
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) { check("", f) })
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			name := strings.TrimPrefix(sub.CommandPath(), "cgotrace ")
			if len(sub.Commands()) > 0 {
				walk(sub) // a group such as pkg-config: its subcommands have the sections
				continue
			}
			if _, ok := sections[name]; !ok {
				t.Errorf("docs/commands.md has no section %q", "## "+name)
				continue
			}
			sub.LocalFlags().VisitAll(func(f *pflag.Flag) { check(name, f) })
			if name == "build" || name == "test" || name == "install" {
				for fl := range buildFlags {
					if fl != "help" && (fl != "go-cmd" || name == "build") {
						check(name, &pflag.Flag{Name: fl})
					}
				}
			}
		}
	}
	walk(root)
}
