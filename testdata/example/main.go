// Command demo is cgotrace's built-in example: a program whose cgo
// package links -lgizmo, while the machine has only the run-time library
// libgizmo.so.1 (scripts/example.sh builds it), not the libgizmo.so
// development link. go build says "cannot find -lgizmo"; cgotrace says why.
package main

import (
	"fmt"

	"example.com/demo/gizmo"
)

func main() { fmt.Println(gizmo.Level()) }
