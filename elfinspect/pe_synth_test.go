package elfinspect

import (
	"encoding/binary"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// synthPE builds a minimal PE32+ x86-64 executable with one .rdata
// section holding an import directory for imports (each with one
// ordinal-only entry in its lookup and address tables) and a delay-import
// directory (version 2, RVA-based descriptors) for delayed.
func synthPE(imports, delayed []string) []byte {
	const (
		secRVA   = 0x1000
		secOff   = 0x200
		fileAlig = 0x200
	)
	le := binary.LittleEndian
	var sec []byte
	put32 := func(b []byte, v uint32) []byte { return le.AppendUint32(b, v) }
	// Layout inside the section: import descriptors (+ null), delay
	// descriptors (+ null), thunk tables, then names.
	impDir := 0
	delayDir := impDir + 20*(len(imports)+1)
	thunks := delayDir + 32*(len(delayed)+1)
	names := thunks + 16*(len(imports)+len(delayed))*2
	nameRVA := map[string]uint32{}
	var strs []byte
	for _, n := range append(append([]string{}, imports...), delayed...) {
		nameRVA[n] = uint32(secRVA + names + len(strs))
		strs = append(append(strs, n...), 0)
	}
	thunk := func(i int) uint32 { return uint32(secRVA + thunks + 16*i) }
	for i, n := range imports {
		sec = put32(sec, thunk(2*i)) // OriginalFirstThunk (lookup table)
		sec = put32(sec, 0)
		sec = put32(sec, 0)
		sec = put32(sec, nameRVA[n])
		sec = put32(sec, thunk(2*i+1)) // FirstThunk (address table)
	}
	sec = append(sec, make([]byte, 20)...)
	for i, n := range delayed {
		k := len(imports) + i
		sec = put32(sec, 1) // attributes: RVA-based (version 2)
		sec = put32(sec, nameRVA[n])
		sec = put32(sec, 0)            // module handle RVA
		sec = put32(sec, thunk(2*k+1)) // IAT
		sec = put32(sec, thunk(2*k))   // INT
		sec = append(sec, make([]byte, 12)...)
	}
	sec = append(sec, make([]byte, 32)...)
	for i := 0; i < len(imports)+len(delayed); i++ {
		for j := 0; j < 2; j++ {
			sec = le.AppendUint64(sec, 1<<63|uint64(i+1)) // by ordinal
			sec = le.AppendUint64(sec, 0)
		}
	}
	sec = append(sec, strs...)
	raw := (len(sec) + fileAlig - 1) / fileAlig * fileAlig

	var b []byte
	dos := make([]byte, 0x40)
	copy(dos, "MZ")
	le.PutUint32(dos[0x3c:], 0x40)
	b = append(b, dos...)
	b = append(b, "PE\x00\x00"...)
	coff := make([]byte, 20)
	le.PutUint16(coff[0:], 0x8664)
	le.PutUint16(coff[2:], 1)
	le.PutUint16(coff[16:], 240)
	le.PutUint16(coff[18:], 0x0022) // executable, large address aware
	b = append(b, coff...)
	opt := make([]byte, 240)
	le.PutUint16(opt[0:], 0x20b)
	le.PutUint32(opt[8:], uint32(raw))    // SizeOfInitializedData
	le.PutUint32(opt[16:], secRVA)        // AddressOfEntryPoint
	le.PutUint64(opt[24:], 0x140000000)   // ImageBase
	le.PutUint32(opt[32:], 0x1000)        // SectionAlignment
	le.PutUint32(opt[36:], fileAlig)      // FileAlignment
	le.PutUint16(opt[40:], 6)             // OS version
	le.PutUint16(opt[48:], 6)             // subsystem version
	le.PutUint32(opt[56:], secRVA+0x1000) // SizeOfImage
	le.PutUint32(opt[60:], secOff)        // SizeOfHeaders
	le.PutUint16(opt[68:], 3)             // console
	le.PutUint16(opt[70:], 0x8160)        // DllCharacteristics
	le.PutUint64(opt[72:], 0x100000)
	le.PutUint64(opt[80:], 0x1000)
	le.PutUint64(opt[88:], 0x100000)
	le.PutUint64(opt[96:], 0x1000)
	le.PutUint32(opt[108:], 16) // NumberOfRvaAndSizes
	dd := opt[112:]
	if len(imports) > 0 {
		le.PutUint32(dd[1*8:], uint32(secRVA+impDir))
		le.PutUint32(dd[1*8+4:], uint32(20*(len(imports)+1)))
	}
	if len(delayed) > 0 {
		le.PutUint32(dd[13*8:], uint32(secRVA+delayDir))
		le.PutUint32(dd[13*8+4:], uint32(32*(len(delayed)+1)))
	}
	b = append(b, opt...)
	sh := make([]byte, 40)
	copy(sh, ".rdata")
	le.PutUint32(sh[8:], uint32(len(sec)))
	le.PutUint32(sh[12:], secRVA)
	le.PutUint32(sh[16:], uint32(raw))
	le.PutUint32(sh[20:], secOff)
	le.PutUint32(sh[36:], 0x40000040)
	b = append(b, sh...)
	b = append(b, make([]byte, secOff-len(b))...)
	b = append(b, sec...)
	return append(b, make([]byte, raw-len(sec))...)
}

// readobjImports runs llvm-readobj --coff-imports and returns the DLL
// names of its Import and DelayImport blocks.
func readobjImports(t *testing.T, p string) (imports, delayed []string) {
	t.Helper()
	tool, err := exec.LookPath("llvm-readobj")
	if err != nil {
		t.Skip("llvm-readobj not installed (Debian: llvm)")
	}
	out, err := exec.Command(tool, "--coff-imports", p).CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-readobj: %v\n%s", err, out)
	}
	block := ""
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "Import {" || line == "DelayImport {":
			block = strings.TrimSuffix(line, " {")
		case line == "}":
			block = ""
		case strings.HasPrefix(line, "Name: ") && block != "":
			n := strings.TrimPrefix(line, "Name: ")
			if block == "Import" {
				imports = append(imports, n)
			} else {
				delayed = append(delayed, n)
			}
		}
	}
	return imports, delayed
}

// TestPEDelayImports: import and delay-import DLL names as llvm-readobj
// reads them; a delay-loaded DLL that is absent is weak, not missing (the
// program starts, and fails only when it first calls into it).
func TestPEDelayImports(t *testing.T) {
	imports := []string{"KERNEL32.dll", "libgizmo-1.dll"}
	delayed := []string{"WS2_32.dll", "optional-plugin.dll"}
	d := t.TempDir()
	app := writeFile(t, filepath.Join(d, "app.exe"), synthPE(imports, delayed))
	refImp, refDelay := readobjImports(t, app)
	if !reflect.DeepEqual(refImp, imports) || !reflect.DeepEqual(refDelay, delayed) {
		t.Fatalf("llvm-readobj reads %q and delayed %q: the synthetic PE is not what it should be", refImp, refDelay)
	}
	b := inspectT(t, app, Options{})
	if want := append(append([]string{}, refImp...), refDelay...); !reflect.DeepEqual(b.Needed, want) {
		t.Errorf("needed %q, llvm-readobj %q", b.Needed, want)
	}
	if !reflect.DeepEqual(b.Missing, []string{"libgizmo-1.dll"}) {
		t.Errorf("missing %q, want only the non-delayed, non-system libgizmo-1.dll", b.Missing)
	}
	for _, name := range refDelay {
		l := lib(b, name)
		if l == nil || !l.Weak {
			t.Errorf("delay-loaded %s: %+v, want weak", name, l)
		}
	}
	if l := lib(b, "optional-plugin.dll"); l == nil || l.Found {
		t.Errorf("optional-plugin.dll: %+v, want not found", l)
	}
	// Next to the executable it is found, as the loader would find it.
	writeFile(t, filepath.Join(d, "optional-plugin.dll"), synthPE([]string{"KERNEL32.dll"}, nil))
	b = inspectT(t, app, Options{})
	if l := lib(b, "optional-plugin.dll"); l == nil || !l.Found || l.Via != "application directory" {
		t.Errorf("optional-plugin.dll next to app.exe: %+v", l)
	}
}
