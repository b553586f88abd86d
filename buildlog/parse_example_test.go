package buildlog_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/cgotrace/cgotrace/buildlog"
)

func ExampleNewParser() {
	log := `WORK=/tmp/go-build1
cd /src/app
TERM='dumb' CGO_LDFLAGS='' /go/pkg/tool/linux_amd64/cgo -objdir $WORK/b001/ -importpath example.com/app "-ldflags=\"-O2\" \"-lfoo\"" -- -I $WORK/b001/ ./main.go
# example.com/app
./main.go:3:10: fatal error: foo.h: No such file or directory
`
	p := buildlog.NewParser(strings.NewReader(log))
	for {
		it, err := p.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		switch {
		case it.Record != nil:
			fmt.Println(it.Record.Kind, it.Record.Step, it.Record.ImportPath, it.Record.Dir)
		case it.Block != nil:
			fmt.Println("block", it.Block.ImportPath, len(it.Block.Lines))
		}
	}
	s := p.Summary()
	fmt.Println(s.Outcome, s.FailedPackages)
	// Output:
	// work   /tmp/go-build1
	// cd   /src/app
	// command cgo example.com/app /src/app
	// block example.com/app 1
	// failure [example.com/app]
}
