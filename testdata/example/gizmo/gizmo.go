// Package gizmo wraps the C library libgizmo.
package gizmo

/*
#cgo CFLAGS: -I${SRCDIR}/../csrc
#cgo LDFLAGS: -L${SRCDIR}/../lib -lgizmo
#include "gizmo.h"
*/
import "C"

// Level asks libgizmo for its level.
func Level() int { return int(C.gizmo_level()) }
