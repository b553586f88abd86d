package elfinspect

import (
	"debug/elf"
	"fmt"
	"sort"
	"strings"
)

// nssFuncs are glibc functions that go through NSS: in a static binary
// they dlopen() the host's libnss_*.so.2 at run time, which needs the
// exact glibc the binary was linked with. Bare dlopen is not one: every
// static glibc binary has it.
var nssFuncs = []string{
	"getaddrinfo", "gethostbyname", "gethostbyname2", "gethostbyname_r", "gethostbyname2_r",
	"gethostbyaddr", "gethostbyaddr_r", "getnameinfo", "getservbyname", "getservbyname_r",
	"getservbyport", "getprotobyname", "getpwnam", "getpwnam_r", "getpwuid", "getpwuid_r",
	"getpwent", "getgrnam", "getgrnam_r", "getgrgid", "getgrgid_r", "getgrent",
	"getgrouplist", "initgroups", "getspnam", "getspnam_r", "getnetgrent", "innetgr",
}

// staticNSS looks for NSS functions in a static glibc binary: in .symtab
// when present; for a stripped Go binary, from its build settings.
func (e *elfRaw) staticNSS(b *Binary) *Finding {
	var hasSymtab bool
	for _, s := range e.secs {
		if s.typ == elf.SHT_SYMTAB {
			hasSymtab = true
		}
	}
	var found []string
	evidence := ""
	if hasSymtab {
		f, err := elf.NewFile(e.r)
		if err != nil {
			return nil
		}
		syms, err := f.Symbols()
		if err != nil {
			return nil
		}
		want := map[string]bool{}
		for _, n := range nssFuncs {
			want[n] = true
		}
		glibcNSS := false
		set := map[string]bool{}
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Section == elf.SHN_UNDEF {
				continue
			}
			name := s.Name
			if i := strings.IndexByte(name, '@'); i >= 0 {
				name = name[:i]
			}
			if strings.HasPrefix(name, "__nss_") || strings.HasPrefix(name, "_nss_") {
				glibcNSS = true
			}
			if want[name] {
				set[name] = true
			}
		}
		if !glibcNSS {
			return nil // musl, or no NSS code linked in
		}
		for n := range set {
			found = append(found, n)
		}
		sort.Strings(found)
		evidence = "symbols in .symtab: " + strings.Join(found, ", ")
	} else if b.Go != nil && b.Go.Settings["CGO_ENABLED"] == "1" {
		tags := "," + b.Go.Settings["-tags"] + ","
		if !strings.Contains(tags, ",netgo,") {
			found = append(found, "getaddrinfo")
		}
		if !strings.Contains(tags, ",osusergo,") {
			found = append(found, "getpwnam_r", "getgrnam_r")
		}
		evidence = "no .symtab (stripped); Go build settings: CGO_ENABLED=1, -tags=" + b.Go.Settings["-tags"]
	}
	if len(found) == 0 {
		return nil
	}
	return &Finding{
		Kind:     StaticGlibcNSS,
		Severity: Warning,
		Summary:  fmt.Sprintf("static glibc binary uses NSS (%s): at run time it loads the host's libnss_*.so.2, which must come from the glibc version it was linked with", strings.Join(found, ", ")),
		Fix:      "for Go: build with -tags netgo,osusergo (pure-Go resolver and user lookup); for C: link against musl (musl-gcc -static), or ship dynamically",
		Subject:  map[string]string{"symbol": found[0]},
		Evidence: []string{evidence},
	}
}
