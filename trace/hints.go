package trace

import (
	"fmt"
	"path/filepath"
	"strings"
)

// headerPackages maps well-known headers to the library whose development
// files ship them, so that a fix can hint at the distribution package.
var headerPackages = map[string]string{
	"sqlite3.h": "sqlite3", "pcap.h": "pcap", "pcap/pcap.h": "pcap", "zlib.h": "z",
	"png.h": "png", "jpeglib.h": "jpeg", "openssl/ssl.h": "ssl", "openssl/evp.h": "ssl",
	"curl/curl.h": "curl", "ffi.h": "ffi", "vips/vips.h": "vips", "zstd.h": "zstd",
	"lz4.h": "lz4", "librdkafka/rdkafka.h": "rdkafka", "systemd/sd-journal.h": "systemd",
	"sys/capability.h": "cap", "seccomp.h": "seccomp", "libusb-1.0/libusb.h": "usb-1.0",
	"alsa/asoundlib.h": "asound", "X11/Xlib.h": "x11", "GL/gl.h": "gl", "gtk/gtk.h": "gtk-3",
	"glib.h": "glib2.0", "yaml.h": "yaml", "archive.h": "archive", "magic.h": "magic",
	"gpgme.h": "gpgme", "btrfs/ioctl.h": "btrfs", "libxml/parser.h": "xml2",
}

// debianDevPackage guesses the Debian/Ubuntu package with the development
// files of library name ("z" → zlib1g-dev). Only a hint.
func debianDevPackage(lib string) string {
	switch lib {
	case "z":
		return "zlib1g-dev"
	case "ssl", "crypto":
		return "libssl-dev"
	case "stdc++":
		return "libstdc++-12-dev"
	case "m", "c", "dl", "pthread", "rt":
		return "libc6-dev"
	case "glib2.0":
		return "libglib2.0-dev"
	case "gtk-3":
		return "libgtk-3-dev"
	case "x11":
		return "libx11-dev"
	case "gl":
		return "libgl-dev"
	case "pcap":
		return "libpcap-dev"
	}
	return "lib" + lib + "-dev"
}

// distroHint phrases where the files of lib usually come from, as a hint.
func distroHint(lib string) string {
	fedora, alpine, brew := lib+"-devel", lib+"-dev", lib
	switch lib {
	case "z":
		fedora, alpine, brew = "zlib-devel", "zlib-dev", "zlib"
	case "ssl", "crypto":
		fedora, alpine, brew = "openssl-devel", "openssl-dev", "openssl"
	case "stdc++":
		fedora, alpine, brew = "libstdc++-devel", "g++", "gcc"
	case "pcap":
		fedora, alpine, brew = "libpcap-devel", "libpcap-dev", "libpcap"
	}
	return fmt.Sprintf("it usually comes with Debian/Ubuntu %s, Fedora %s, Alpine %s or Homebrew %s", debianDevPackage(lib), fedora, alpine, brew)
}

// libName reduces -lfoo, libfoo.so.1, /x/libfoo.a to foo.
func libName(s string) string {
	s = filepath.Base(strings.TrimPrefix(s, "-l"))
	s = strings.TrimPrefix(s, ":")
	if i := strings.Index(s, ".so"); i > 0 {
		s = s[:i]
	}
	for _, ext := range []string{".a", ".dylib", ".tbd", ".dll", ".lib"} {
		s = strings.TrimSuffix(s, ext)
	}
	return strings.TrimPrefix(s, "lib")
}
