// Package elfinspect reads ELF, Mach-O and PE files and resolves their
// dynamic dependencies the way the platform's loader would, without ever
// executing the file or its interpreter.
package elfinspect

// Binary is what `cgotrace inspect --format json` prints for one file, and
// what a report's `binaries` holds. The JSON shape is docs/report-v1.md's.
type Binary struct {
	Path        string    `json:"path"`
	Format      string    `json:"format"` // elf | macho | pe
	Class       string    `json:"class,omitempty"`
	Machine     string    `json:"machine,omitempty"`
	Type        string    `json:"type,omitempty"` // exec | dyn | ... (ELF), exec | dylib (Mach-O), exe | dll (PE)
	Interpreter string    `json:"interpreter,omitempty"`
	Static      bool      `json:"static"`
	PIE         bool      `json:"pie"`
	Soname      string    `json:"soname"`
	Needed      []string  `json:"needed"`
	Rpath       []string  `json:"rpath"`
	Runpath     []string  `json:"runpath"`
	Libraries   []Library `json:"libraries"`
	Missing     []string  `json:"missing"`
	GlibcMin    string    `json:"glibc_min,omitempty"`
	GlibcxxMin  string    `json:"glibcxx_min,omitempty"`
	CxxabiMin   string    `json:"cxxabi_min,omitempty"`
	// Flags are the DT_FLAGS/DT_FLAGS_1 bits that matter for loading:
	// ORIGIN, BIND_NOW, NODEFLIB, PIE, STATIC_TLS.
	Flags []string `json:"flags,omitempty"`
	// MinOS is a Mach-O's minimum OS version ("macos 11.0").
	MinOS string `json:"min_os,omitempty"`
	// Slices are the architectures of a fat (universal) Mach-O file; the
	// top-level fields are those of the first slice.
	Slices    []*Binary `json:"slices,omitempty"`
	Go        *GoInfo   `json:"go,omitempty"`
	Diagnoses []Finding `json:"diagnoses"`
}

// Library is one node of the resolved dependency tree.
type Library struct {
	Name     string   `json:"name"`
	Path     string   `json:"path,omitempty"`
	Found    bool     `json:"found"`
	Via      string   `json:"via,omitempty"`
	NeededBy string   `json:"needed_by"`
	Depth    int      `json:"depth"`
	Tried    []string `json:"tried,omitempty"`
	// Soname is the DT_SONAME of the file it resolved to (ELF).
	Soname string `json:"soname,omitempty"`
	// Needed lists the library's own dependencies, in order: the edges of
	// the tree.
	Needed []string `json:"needed,omitempty"`
	// Weak marks an LC_LOAD_WEAK_DYLIB or delay-loaded import: its absence
	// does not stop the program from starting.
	Weak bool `json:"weak,omitempty"`
}

// GoInfo is the Go build information embedded in a binary (debug/buildinfo).
type GoInfo struct {
	GoVersion string            `json:"go_version"`
	Path      string            `json:"path,omitempty"`
	Settings  map[string]string `json:"settings,omitempty"`
}
