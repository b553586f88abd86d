package elfinspect

import (
	"debug/macho"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
)

// Load commands debug/macho does not decode (it hands them over as
// LoadBytes); they are parsed here from the raw bytes.
const (
	lcReqDyld          = 0x80000000
	lcLoadDylib        = 0xc
	lcIDDylib          = 0xd
	lcLoadDylinker     = 0xe
	lcLoadWeakDylib    = 0x18 | lcReqDyld
	lcRpath            = 0x1c | lcReqDyld
	lcReexportDylib    = 0x1f | lcReqDyld
	lcLazyLoadDylib    = 0x20
	lcLoadUpwardDylib  = 0x23 | lcReqDyld
	lcVersionMinMacOSX = 0x24
	lcVersionMinIOS    = 0x25
	lcVersionMinTVOS   = 0x2f
	lcVersionMinWatch  = 0x30
	lcBuildVersion     = 0x32

	machoFlagPIE = 0x200000
	maxMachOLoad = 1 << 16
)

func isMachO(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	be, le := binary.BigEndian.Uint32(head), binary.LittleEndian.Uint32(head)
	for _, m := range []uint32{macho.Magic32, macho.Magic64, macho.MagicFat} {
		if be == m || le == m {
			return true
		}
	}
	return false
}

// machoDylib is one dylib load command.
type machoDylib struct {
	name string
	cmd  uint32
}

func (d machoDylib) weak() bool { return d.cmd == lcLoadWeakDylib }

// machoImage is what the dyld emulation needs from one Mach-O slice.
type machoImage struct {
	cpu     macho.Cpu
	is64    bool
	typ     macho.Type
	flags   uint32
	dylibs  []machoDylib
	rpaths  []string
	id      string
	dylnker string
	minOS   string
}

// parseMachOLoads decodes the load commands of f by hand, including those
// debug/macho leaves undecoded.
func parseMachOLoads(f *macho.File) (*machoImage, error) {
	img := &machoImage{cpu: f.Cpu, is64: f.Magic == macho.Magic64, typ: f.Type, flags: f.Flags}
	if len(f.Loads) > maxMachOLoad {
		return nil, fmt.Errorf("%d load commands", len(f.Loads))
	}
	bo := f.ByteOrder
	str := func(raw []byte, at int) (string, error) {
		if len(raw) < at+4 {
			return "", errors.New("truncated load command")
		}
		off := bo.Uint32(raw[at:])
		if off < uint32(at)+4 || off >= uint32(len(raw)) {
			return "", fmt.Errorf("load command string offset %d out of range", off)
		}
		return cstring(raw[off:]), nil
	}
	for _, l := range f.Loads {
		raw := l.Raw()
		if len(raw) < 8 {
			return nil, errors.New("truncated load command")
		}
		cmd := bo.Uint32(raw)
		switch cmd {
		case lcLoadDylib, lcLoadWeakDylib, lcReexportDylib, lcLazyLoadDylib, lcLoadUpwardDylib:
			name, err := str(raw, 8)
			if err != nil {
				return nil, err
			}
			img.dylibs = append(img.dylibs, machoDylib{name, cmd})
		case lcIDDylib:
			name, err := str(raw, 8)
			if err != nil {
				return nil, err
			}
			img.id = name
		case lcLoadDylinker:
			name, err := str(raw, 8)
			if err != nil {
				return nil, err
			}
			img.dylnker = name
		case lcRpath:
			p, err := str(raw, 8)
			if err != nil {
				return nil, err
			}
			img.rpaths = append(img.rpaths, p)
		case lcBuildVersion:
			if len(raw) < 16 {
				return nil, errors.New("truncated LC_BUILD_VERSION")
			}
			img.minOS = machoPlatform(bo.Uint32(raw[8:])) + " " + machoVersion(bo.Uint32(raw[12:]))
		case lcVersionMinMacOSX, lcVersionMinIOS, lcVersionMinTVOS, lcVersionMinWatch:
			if len(raw) < 12 {
				return nil, errors.New("truncated LC_VERSION_MIN")
			}
			plat := map[uint32]string{lcVersionMinMacOSX: "macos", lcVersionMinIOS: "ios", lcVersionMinTVOS: "tvos", lcVersionMinWatch: "watchos"}[cmd]
			img.minOS = plat + " " + machoVersion(bo.Uint32(raw[8:]))
		}
	}
	return img, nil
}

func machoPlatform(p uint32) string {
	switch p {
	case 1:
		return "macos"
	case 2:
		return "ios"
	case 3:
		return "tvos"
	case 4:
		return "watchos"
	case 5:
		return "bridgeos"
	case 6:
		return "maccatalyst"
	case 7:
		return "iossimulator"
	case 11:
		return "visionos"
	}
	return fmt.Sprintf("platform%d", p)
}

// machoVersion decodes xxxx.yy.zz nibbles.
func machoVersion(v uint32) string {
	s := fmt.Sprintf("%d.%d", v>>16, (v>>8)&0xff)
	if v&0xff != 0 {
		s += fmt.Sprintf(".%d", v&0xff)
	}
	return s
}

func machoCPUName(c macho.Cpu) string {
	switch c {
	case macho.CpuAmd64:
		return "x86_64"
	case macho.CpuArm64:
		return "arm64"
	case macho.Cpu386:
		return "i386"
	case macho.CpuArm:
		return "arm"
	case macho.CpuPpc:
		return "ppc"
	case macho.CpuPpc64:
		return "ppc64"
	}
	return fmt.Sprintf("cpu%d", uint32(c))
}

// machoRaw is the Mach-O reader of the rawFile interface: one image, or
// the slices of a fat file.
type machoRaw struct {
	path   string
	r      io.ReaderAt
	slices []*machoImage
}

func newMachORaw(r io.ReaderAt, p string) (rawFile, error) {
	m := &machoRaw{path: p, r: r}
	if ff, err := macho.NewFatFile(r); err == nil {
		for _, a := range ff.Arches {
			img, err := parseMachOLoads(a.File)
			if err != nil {
				return nil, fmt.Errorf("Mach-O slice %s: %w", machoCPUName(a.Cpu), err)
			}
			m.slices = append(m.slices, img)
		}
		if len(m.slices) == 0 {
			return nil, errors.New("fat Mach-O file without slices")
		}
		return m, nil
	} else if !errors.Is(err, macho.ErrNotFat) {
		return nil, fmt.Errorf("fat Mach-O: %w", err)
	}
	f, err := macho.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("Mach-O: %w", err)
	}
	img, err := parseMachOLoads(f)
	if err != nil {
		return nil, fmt.Errorf("Mach-O: %w", err)
	}
	m.slices = []*machoImage{img}
	return m, nil
}

func describeMachO(img *machoImage, b *Binary) {
	b.Format = "macho"
	b.Class = "MachO32"
	if img.is64 {
		b.Class = "MachO64"
	}
	b.Machine = machoCPUName(img.cpu)
	switch img.typ {
	case macho.TypeExec:
		b.Type = "exec"
	case macho.TypeDylib:
		b.Type = "dylib"
	case macho.TypeBundle:
		b.Type = "bundle"
	case macho.TypeObj:
		b.Type = "object"
	default:
		b.Type = fmt.Sprintf("0x%x", uint32(img.typ))
	}
	b.Interpreter = img.dylnker
	b.Soname = img.id
	for _, d := range img.dylibs {
		b.Needed = append(b.Needed, d.name)
	}
	b.Runpath = append(b.Runpath, img.rpaths...)
	b.PIE = img.flags&machoFlagPIE != 0
	b.Static = len(img.dylibs) == 0 && img.dylnker == ""
	b.MinOS = img.minOS
}

func (m *machoRaw) describe(b *Binary) error {
	describeMachO(m.slices[0], b)
	b.Go = goInfo(m.r)
	if len(m.slices) > 1 {
		for _, img := range m.slices {
			s := &Binary{Path: b.Path, Needed: []string{}, Rpath: []string{}, Runpath: []string{}, Libraries: []Library{}, Missing: []string{}}
			describeMachO(img, s)
			b.Slices = append(b.Slices, s)
		}
	}
	return nil
}

func (m *machoRaw) resolve(in *Inspector, b *Binary) error {
	exeDir := path.Dir(m.path)
	if rp, err := filepath.EvalSymlinks(m.path); err == nil {
		if abs, err := filepath.Abs(rp); err == nil {
			exeDir = path.Dir(abs)
		}
	}
	exePath := m.path
	if root := in.fs.root; root != "" {
		// Name the executable as the target sees it, inside the root.
		if abs, err := filepath.Abs(exePath); err == nil {
			if rel, ok := strings.CutPrefix(abs, root+"/"); ok {
				exePath = "/" + rel
			}
		}
		if rel, ok := strings.CutPrefix(exeDir, root+"/"); ok {
			exeDir = "/" + rel
		}
	}
	if len(m.slices) == 1 {
		return resolveMachO(in, m.slices[0], exePath, exeDir, b)
	}
	seen := map[string]bool{}
	for i, img := range m.slices {
		s := b.Slices[i]
		if err := resolveMachO(in, img, exePath, exeDir, s); err != nil {
			return err
		}
		s.Diagnoses = missingDiagnoses(s)
		for _, x := range s.Missing {
			if !seen[x] {
				seen[x] = true
				b.Missing = append(b.Missing, x)
			}
		}
	}
	b.Libraries = append(b.Libraries, b.Slices[0].Libraries...)
	for _, s := range b.Slices[1:] {
		for _, l := range s.Libraries {
			if !l.Found {
				b.Libraries = append(b.Libraries, l)
			}
		}
	}
	return nil
}

// machoNode is one image in the emulated dyld load.
type machoNode struct {
	img    *machoImage
	path   string
	parent *machoNode
	depth  int
}

// resolveMachO emulates dyld: install names with @executable_path,
// @loader_path and @rpath (the LC_RPATH entries of the image and of every
// image that led to it); /usr/lib and /System/Library are system
// libraries, which live in the dyld shared cache on macOS 11 and later.
func resolveMachO(in *Inspector, img *machoImage, exePath, exeDir string, b *Binary) error {
	root := &machoNode{img: img, path: exePath}
	queue := []*machoNode{root}
	done := map[string]bool{}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, d := range n.img.dylibs {
			if done[d.name] {
				continue
			}
			done[d.name] = true
			lib := Library{Name: d.name, NeededBy: n.path, Depth: n.depth + 1, Weak: d.weak()}
			if isMachOSystem(d.name) {
				lib.Found, lib.Path, lib.Via = true, d.name, "system (dyld shared cache)"
				b.Libraries = append(b.Libraries, lib)
				continue
			}
			p, via, tried := machoFind(in, n, d.name, exeDir)
			if p == "" {
				lib.Tried = tried
				b.Libraries = append(b.Libraries, lib)
				if !lib.Weak {
					b.Missing = append(b.Missing, d.name)
				}
				continue
			}
			lib.Found, lib.Path, lib.Via = true, p, via
			child, err := in.machoImageAt(p, img.cpu)
			if err != nil {
				lib.Tried = []string{p + ": " + err.Error()}
				lib.Found = false
				b.Libraries = append(b.Libraries, lib)
				b.Missing = append(b.Missing, d.name)
				continue
			}
			for _, cd := range child.dylibs {
				lib.Needed = append(lib.Needed, cd.name)
			}
			lib.Soname = child.id
			b.Libraries = append(b.Libraries, lib)
			if len(b.Libraries) > maxObjects {
				return fmt.Errorf("more than %d objects in the dependency tree", maxObjects)
			}
			queue = append(queue, &machoNode{img: child, path: p, parent: n, depth: n.depth + 1})
		}
	}
	return nil
}

// machoFind resolves one install name for image n.
func machoFind(in *Inspector, n *machoNode, name, exeDir string) (found, via string, tried []string) {
	try := func(p, v string) bool {
		p = path.Clean(p)
		if fi, err := in.fs.stat(p); err == nil && !fi.IsDir() {
			found, via = p, v
			return true
		}
		tried = append(tried, p)
		return false
	}
	loaderDir := path.Dir(n.path)
	switch {
	case strings.HasPrefix(name, "@executable_path/"):
		try(exeDir+"/"+strings.TrimPrefix(name, "@executable_path/"), "@executable_path")
	case strings.HasPrefix(name, "@loader_path/"):
		try(loaderDir+"/"+strings.TrimPrefix(name, "@loader_path/"), "@loader_path")
	case strings.HasPrefix(name, "@rpath/"):
		rest := strings.TrimPrefix(name, "@rpath/")
		for l := n; l != nil; l = l.parent {
			for _, rp := range l.img.rpaths {
				dir := rp
				switch {
				case strings.HasPrefix(rp, "@loader_path"):
					dir = path.Dir(l.path) + strings.TrimPrefix(rp, "@loader_path")
				case strings.HasPrefix(rp, "@executable_path"):
					dir = exeDir + strings.TrimPrefix(rp, "@executable_path")
				}
				v := "@rpath (LC_RPATH " + rp + ")"
				if l != n {
					v = "@rpath (LC_RPATH " + rp + " of " + l.path + ")"
				}
				if try(dir+"/"+rest, v) {
					return
				}
			}
		}
		if len(tried) == 0 {
			tried = append(tried, "no LC_RPATH in the load chain")
		}
	case strings.HasPrefix(name, "/"):
		try(name, "install name")
	default:
		try(path.Join(in.opts.Cwd, name), "relative install name")
	}
	return
}

// machoImageAt reads the dylib at the in-root path p (the slice for cpu
// when it is fat).
func (in *Inspector) machoImageAt(p string, cpu macho.Cpu) (*machoImage, error) {
	f, err := in.fs.openFile(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if ff, err := macho.NewFatFile(f); err == nil {
		for _, a := range ff.Arches {
			if a.Cpu == cpu {
				return parseMachOLoads(a.File)
			}
		}
		return nil, fmt.Errorf("fat file has no %s slice", machoCPUName(cpu))
	}
	mf, err := macho.NewFile(f)
	if err != nil {
		return nil, err
	}
	if mf.Cpu != cpu {
		return nil, fmt.Errorf("wrong architecture %s", machoCPUName(mf.Cpu))
	}
	return parseMachOLoads(mf)
}
