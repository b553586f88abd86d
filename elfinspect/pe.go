package elfinspect

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

const (
	peDirImport      = 1
	peDirDelayImport = 13
	maxPEImports     = 1 << 14
	peFileDLL        = 0x2000
	peDynamicBase    = 0x40
)

// peImport is one imported DLL.
type peImport struct {
	name  string
	delay bool
}

// peImage is what the DLL resolution needs from one PE file.
type peImage struct {
	machine  uint16
	plus     bool
	dll      bool
	dynBase  bool
	imports  []peImport
	imageBas uint64
}

type peRaw struct {
	path string
	r    io.ReaderAt
	img  *peImage
}

func newPERaw(r io.ReaderAt, p string) (rawFile, error) {
	img, err := readPE(r)
	if err != nil {
		return nil, err
	}
	return &peRaw{path: p, r: r, img: img}, nil
}

// readPE parses the import and delay-import directories by hand:
// (*pe.File).ImportedLibraries returns nothing, and ImportedSymbols skips
// ordinal-only imports and delay-load imports.
func readPE(r io.ReaderAt) (*peImage, error) {
	f, err := pe.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("PE: %w", err)
	}
	img := &peImage{machine: f.Machine, dll: f.Characteristics&peFileDLL != 0}
	var dirs []pe.DataDirectory
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), len(oh.DataDirectory))]
		img.dynBase = oh.DllCharacteristics&peDynamicBase != 0
		img.imageBas = uint64(oh.ImageBase)
	case *pe.OptionalHeader64:
		img.plus = true
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), len(oh.DataDirectory))]
		img.dynBase = oh.DllCharacteristics&peDynamicBase != 0
		img.imageBas = oh.ImageBase
	default:
		return nil, errors.New("PE: no optional header")
	}
	rva := func(a uint32, n uint32) ([]byte, error) {
		for _, s := range f.Sections {
			size := max(s.VirtualSize, s.Size)
			if a >= s.VirtualAddress && a-s.VirtualAddress < size {
				off := a - s.VirtualAddress
				if off >= s.Size {
					return nil, fmt.Errorf("RVA 0x%x lies in uninitialized data", a)
				}
				n = min(n, s.Size-off)
				b := make([]byte, n)
				if _, err := s.ReadAt(b, int64(off)); err != nil && !errors.Is(err, io.EOF) {
					return nil, err
				}
				return b, nil
			}
		}
		return nil, fmt.Errorf("RVA 0x%x is in no section", a)
	}
	name := func(a uint32) (string, error) {
		b, err := rva(a, 512)
		if err != nil {
			return "", err
		}
		return cstring(b), nil
	}
	le := binary.LittleEndian
	if len(dirs) > peDirImport && dirs[peDirImport].VirtualAddress != 0 {
		d := dirs[peDirImport]
		for i := uint32(0); i < maxPEImports; i++ {
			e, err := rva(d.VirtualAddress+i*20, 20)
			if err != nil {
				return nil, fmt.Errorf("PE import directory: %w", err)
			}
			if len(e) < 20 {
				return nil, errors.New("PE import directory: truncated descriptor")
			}
			nameRVA, thunk := le.Uint32(e[12:]), le.Uint32(e[16:])
			if nameRVA == 0 && thunk == 0 {
				break
			}
			n, err := name(nameRVA)
			if err != nil {
				return nil, fmt.Errorf("PE import name: %w", err)
			}
			img.imports = append(img.imports, peImport{name: n})
		}
	}
	if len(dirs) > peDirDelayImport && dirs[peDirDelayImport].VirtualAddress != 0 {
		d := dirs[peDirDelayImport]
		for i := uint32(0); i < maxPEImports; i++ {
			e, err := rva(d.VirtualAddress+i*32, 32)
			if err != nil {
				return nil, fmt.Errorf("PE delay-import directory: %w", err)
			}
			if len(e) < 32 {
				return nil, errors.New("PE delay-import directory: truncated descriptor")
			}
			attrs, nameRVA := le.Uint32(e), le.Uint32(e[4:])
			if nameRVA == 0 {
				break
			}
			if attrs&1 == 0 {
				// Version 1 descriptors (Visual C++ 6) hold VAs.
				nameRVA = uint32(uint64(nameRVA) - img.imageBas)
			}
			n, err := name(nameRVA)
			if err != nil {
				return nil, fmt.Errorf("PE delay-import name: %w", err)
			}
			img.imports = append(img.imports, peImport{name: n, delay: true})
		}
	}
	return img, nil
}

func peMachineName(m uint16) string {
	switch m {
	case pe.IMAGE_FILE_MACHINE_AMD64:
		return "x86-64"
	case pe.IMAGE_FILE_MACHINE_I386:
		return "i386"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		return "arm64"
	case pe.IMAGE_FILE_MACHINE_ARMNT:
		return "arm"
	}
	return fmt.Sprintf("0x%x", m)
}

func (p *peRaw) describe(b *Binary) error {
	b.Format = "pe"
	b.Class = "PE32"
	if p.img.plus {
		b.Class = "PE32+"
	}
	b.Machine = peMachineName(p.img.machine)
	b.Type = "exe"
	if p.img.dll {
		b.Type = "dll"
	}
	for _, im := range p.img.imports {
		b.Needed = append(b.Needed, im.name)
	}
	b.PIE = p.img.dynBase
	b.Static = len(p.img.imports) == 0
	b.Go = goInfo(p.r)
	return nil
}

// windowsSystemDLLs are DLLs of Windows itself (System32, KnownDLLs);
// api-ms-win-* and ext-ms-* API sets are virtual. None is ever missing.
// Built on first use: most processes never read a PE file.
var windowsSystemDLLs = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`kernel32 kernelbase ntdll user32 gdi32 gdi32full advapi32 shell32 ole32
	oleaut32 ws2_32 wsock32 mswsock msvcrt ucrtbase msvcp_win winmm crypt32 secur32 sspicli bcrypt bcryptprimitives
	ncrypt iphlpapi dnsapi userenv shlwapi comctl32 comdlg32 version winhttp wininet setupapi imm32 dbghelp
	dbgcore psapi powrprof rpcrt4 netapi32 wtsapi32 dwmapi uxtheme opengl32 glu32 d3d9 d3d10 d3d11 d3d12 dxgi
	d2d1 dwrite d3dcompiler_47 winspool mpr wldap32 normaliz cfgmgr32 hid wintrust msimg32 usp10 shcore
	combase sechost ntmarta mscoree oleacc propsys urlmon credui cryptbase cryptsp avrt dinput8 xinput1_4
	msacm32 wevtapi pdh ktmw32 clbcatq imagehlp authz winusb newdev difxapi msi ws2help virtdisk
	wlanapi fwpuclnt netutils srvcli samcli logoncli wkscli`) {
		m[n] = true
	}
	return m
})

func isWindowsSystemDLL(n string) bool {
	l := strings.ToLower(n)
	if strings.HasPrefix(l, "api-ms-win-") || strings.HasPrefix(l, "ext-ms-") {
		return true
	}
	l = strings.TrimSuffix(strings.TrimSuffix(l, ".dll"), ".drv")
	return windowsSystemDLLs()[l]
}

// resolve looks DLLs up as the Windows loader does for a desktop
// application, as far as it can be known from files: system DLLs and API
// sets are always there; others in the application directory, then (with
// --root) the image's Windows\System32, Windows and its top directory.
func (p *peRaw) resolve(in *Inspector, b *Binary) error {
	appDir := path.Dir(p.path)
	if abs, err := filepath.Abs(p.path); err == nil {
		appDir = path.Dir(abs)
	}
	dirs := []struct{ dir, via string }{{appDir, "application directory"}}
	if in.fs.root != "" {
		for _, d := range []string{"/Windows/System32", "/Windows", "/"} {
			dirs = append(dirs, struct{ dir, via string }{in.fs.root + d, "root " + d})
		}
	}
	listing := map[string]map[string]string{}
	lookup := func(dir, name string) string {
		l, ok := listing[dir]
		if !ok {
			l = map[string]string{}
			if ents, err := os.ReadDir(dir); err == nil {
				for _, e := range ents {
					if !e.IsDir() {
						l[strings.ToLower(e.Name())] = e.Name()
					}
				}
			}
			listing[dir] = l
		}
		if real, ok := l[strings.ToLower(name)]; ok {
			return path.Join(dir, real)
		}
		return ""
	}
	type peNode struct {
		img   *peImage
		path  string
		depth int
	}
	queue := []peNode{{p.img, p.path, 0}}
	done := map[string]bool{}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, im := range n.img.imports {
			key := strings.ToLower(im.name)
			if done[key] {
				continue
			}
			done[key] = true
			lib := Library{Name: im.name, NeededBy: n.path, Depth: n.depth + 1, Weak: im.delay}
			if isWindowsSystemDLL(im.name) {
				lib.Found, lib.Via = true, "system"
				b.Libraries = append(b.Libraries, lib)
				continue
			}
			for _, d := range dirs {
				if f := lookup(d.dir, im.name); f != "" {
					lib.Found, lib.Path, lib.Via = true, f, d.via
					break
				}
				lib.Tried = append(lib.Tried, path.Join(d.dir, im.name))
			}
			if !lib.Found {
				b.Libraries = append(b.Libraries, lib)
				if !lib.Weak {
					b.Missing = append(b.Missing, im.name)
				}
				continue
			}
			lib.Tried = nil
			f, err := os.Open(lib.Path)
			if err == nil {
				child, err := readPE(f)
				f.Close()
				if err == nil {
					for _, c := range child.imports {
						lib.Needed = append(lib.Needed, c.name)
					}
					queue = append(queue, peNode{child, lib.Path, n.depth + 1})
				}
			}
			b.Libraries = append(b.Libraries, lib)
			if len(b.Libraries) > maxObjects {
				return fmt.Errorf("more than %d objects in the dependency tree", maxObjects)
			}
		}
	}
	return nil
}
