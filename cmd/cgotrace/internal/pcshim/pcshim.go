//go:build linux

// Package pcshim is the start-up path of the recording pkg-config shim.
//
// `cgotrace build` points PKG_CONFIG at cgotrace itself, so every
// pkg-config call of a build starts a cgotrace process. Go runs every
// package's initialisation before main, and cgotrace links the CLI,
// logging, templates, the net package (through pflag) and more; their
// initialisation costs more than the call itself. Go initialises packages
// in import-path order as soon as their imports are ready (Go 1.21 and
// later), and this package, which imports only syscall, strconv,
// unicode/utf8 and unsafe, sorts before all of those: its init runs the
// shim and exits, so none of them is ever initialised in shim mode. It
// does without package time, which would bring internal/godebug's and
// time's initialisation, and with them context's and the crypto
// packages' that wait for time, before its own.
//
// The record it appends is pkgconfig.ShimRecord, encoded byte for byte as
// encoding/json would (tested). Anything unusual before the real program
// has started (a relative program name, a closed standard descriptor, a
// failed fork) falls back to the full path, pkgconfig.RunShim, which says
// what went wrong as exec would. Elsewhere than Linux (no /proc/self/cmdline
// to read the arguments from without package os) only the full path runs.
package pcshim

import (
	"strconv"
	"syscall"
	"unicode/utf8"
	"unsafe"
)

// The variables of pkgconfig's shim (pkgconfig.EnvShimReal,
// pkgconfig.EnvShimRecord); a test checks that they agree.
const (
	EnvReal   = "CGOTRACE_SHIM_REAL"
	EnvRecord = "CGOTRACE_SHIM_RECORD"
)

// relevantEnv is pkgconfig's relevantEnv, sorted as encoding/json sorts
// map keys; a test checks that the two lists agree.
var relevantEnv = []string{
	"CPATH", "CPLUS_INCLUDE_PATH", "C_INCLUDE_PATH", "DESTDIR", "LIBRARY_PATH", "OBJC_INCLUDE_PATH",
	"PKG_CONFIG_ALLOW_SYSTEM_CFLAGS", "PKG_CONFIG_ALLOW_SYSTEM_LIBS", "PKG_CONFIG_DISABLE_UNINSTALLED",
	"PKG_CONFIG_FDO_SYSROOT_RULES", "PKG_CONFIG_IGNORE_CONFLICTS", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_PATH",
	"PKG_CONFIG_PURE_DEPGRAPH", "PKG_CONFIG_SYSROOT_DIR", "PKG_CONFIG_SYSTEM_INCLUDE_PATH",
	"PKG_CONFIG_SYSTEM_LIBRARY_PATH", "PKG_CONFIG_TOP_BUILD_DIR",
}

func init() {
	real, ok := syscall.Getenv(EnvReal)
	if !ok || real == "" {
		return
	}
	if code, ok := Run(real, argv()); ok {
		syscall.Exit(code)
	}
}

// argv is os.Args without the os package: the runtime hands it to
// syscall's runtime_args only through os, so read /proc/self/cmdline.
func argv() []string {
	fd, err := syscall.Open("/proc/self/cmdline", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer syscall.Close(fd)
	var b []byte
	for {
		n, ok := readSome(fd)
		if !ok {
			break
		}
		b = append(b, ioBuf[:n]...)
	}
	var out []string
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != 0 {
			i++
		}
		out = append(out, string(b[:i]))
		if i == len(b) {
			break
		}
		b = b[i+1:]
	}
	return out
}

// Run runs the real pkg-config with args[1:], the shim's standard
// descriptors and environment, copies its output through, appends the
// record, and returns the exit code. ok is false when it could not start
// the program; it has then written nothing.
func Run(real string, args []string) (code int, ok bool) {
	if len(args) == 0 || real[0] != '/' {
		return 0, false
	}
	var st1, st2 syscall.Stat_t
	if syscall.Fstat(0, &st1) != nil || syscall.Fstat(1, &st1) != nil || syscall.Fstat(2, &st2) != nil {
		return 0, false
	}
	merged := st1.Dev == st2.Dev && st1.Ino == st2.Ino
	start, mono := clock(clockRealtime), clock(clockMonotonic)
	var out, errp [2]int
	if syscall.Pipe2(out[:], syscall.O_CLOEXEC) != nil {
		return 0, false
	}
	files := []uintptr{0, uintptr(out[1]), uintptr(out[1])}
	if !merged {
		if syscall.Pipe2(errp[:], syscall.O_CLOEXEC) != nil {
			syscall.Close(out[0])
			syscall.Close(out[1])
			return 0, false
		}
		files[2] = uintptr(errp[1])
	}
	cargv := append([]string{real}, args[1:]...)
	pid, err := syscall.ForkExec(real, cargv, &syscall.ProcAttr{Env: syscall.Environ(), Files: files})
	syscall.Close(out[1])
	if !merged {
		syscall.Close(errp[1])
	}
	if err != nil {
		syscall.Close(out[0])
		if !merged {
			syscall.Close(errp[0])
		}
		return 0, false
	}
	var stdoutText, stderrText []byte
	if merged {
		stdoutText = copyOut(out[0], 1)
	} else {
		stdoutText, stderrText = copyOut2(out[0], errp[0])
	}
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	dur := clock(clockMonotonic) - mono
	switch {
	case ws.Exited():
		code = ws.ExitStatus()
	default:
		code = 1 // killed by a signal: exec's ExitCode is -1, the shim says 1
	}
	if path, _ := syscall.Getenv(EnvRecord); path != "" {
		appendRecord(path, record(start, dur, real, args, merged, code, stdoutText, stderrText))
	}
	return code, true
}

// ioBuf is the one read buffer of the shim. A package variable: on the
// stack it would make the goroutine's stack grow (a copy and an unwinding
// of the stack, reading the big binary's tables); on the heap it would
// take a span. Here it costs the pages a read touches.
var ioBuf [16 << 10]byte

// pollFd is struct pollfd.
type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const (
	pollIn  = 0x1
	pollErr = 0x8
	pollHup = 0x10
)

// copyOut copies fd to dst until EOF and returns what it read. Once dst
// fails (a closed pipe), it only reads, so the program never blocks. It
// closes fd.
func copyOut(fd, dst int) []byte {
	var all []byte
	dstOK := true
	for {
		n, ok := readSome(fd)
		if !ok {
			break
		}
		all = append(all, ioBuf[:n]...)
		writeAll(dst, ioBuf[:n], &dstOK)
	}
	syscall.Close(fd)
	return all
}

// copyOut2 copies the program's stdout pipe to 1 and its stderr pipe to 2
// in this one thread, polling both, until both reach EOF, and returns
// what each gave. One thread and no goroutine: a second goroutine would
// start another thread of the runtime and grow another stack, which
// costs more than the call itself.
func copyOut2(outFd, errFd int) (stdout, stderr []byte) {
	fds := [2]pollFd{{fd: int32(outFd), events: pollIn}, {fd: int32(errFd), events: pollIn}}
	dsts := [2]int{1, 2}
	var got [2][]byte
	dstOK := [2]bool{true, true}
	open := 2
	for open > 0 {
		fds[0].revents, fds[1].revents = 0, 0
		_, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), 2, 0, 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			// cannot poll (never seen): read each to EOF in turn
			for i := range fds {
				if fds[i].fd >= 0 {
					got[i] = append(got[i], copyOut(int(fds[i].fd), dsts[i])...)
					fds[i].fd = -1
				}
			}
			break
		}
		for i := range fds {
			if fds[i].fd < 0 || fds[i].revents&(pollIn|pollErr|pollHup) == 0 {
				continue
			}
			n, ok := readSome(int(fds[i].fd))
			if !ok {
				syscall.Close(int(fds[i].fd))
				fds[i].fd = -1 // ppoll skips negative descriptors
				open--
				continue
			}
			got[i] = append(got[i], ioBuf[:n]...)
			ok = dstOK[i]
			writeAll(dsts[i], ioBuf[:n], &ok)
			dstOK[i] = ok
		}
	}
	return got[0], got[1]
}

// readSome reads once into ioBuf; ok is false at EOF or on an error.
func readSome(fd int) (n int, ok bool) {
	for {
		n, err := syscall.Read(fd, ioBuf[:])
		if err == syscall.EINTR {
			continue
		}
		return n, n > 0 && err == nil
	}
}

// writeAll writes p to dst while *ok; a failed write clears *ok.
func writeAll(dst int, p []byte, ok *bool) {
	for *ok && len(p) > 0 {
		m, err := syscall.Write(dst, p)
		switch {
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			ts := syscall.Timespec{Nsec: 1e6}
			syscall.Nanosleep(&ts, nil)
		case err != nil || m <= 0:
			*ok = false
		default:
			p = p[m:]
		}
	}
}

// getwd is os.Getwd: $PWD when it names the working directory, else the
// kernel's answer.
func getwd() string {
	if pwd, ok := syscall.Getenv("PWD"); ok && len(pwd) > 0 && pwd[0] == '/' {
		var a, b syscall.Stat_t
		if syscall.Stat(pwd, &a) == nil && syscall.Stat(".", &b) == nil && a.Dev == b.Dev && a.Ino == b.Ino {
			return pwd
		}
	}
	d, _ := syscall.Getwd()
	return d
}

// The clocks of clock_gettime(2) (linux/time.h), which syscall does not
// name.
const (
	clockRealtime  = 0
	clockMonotonic = 1
)

// clock is clock_gettime(id) in nanoseconds (0 if it fails).
func clock(id int) int64 {
	var ts syscall.Timespec
	if _, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, uintptr(id), uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return ts.Nano()
}

// appendRFC3339Nano appends the UTC time of ns nanoseconds since 1970
// as time.Time.AppendFormat(b, time.RFC3339Nano) does (trailing zeros of
// the fraction dropped, "Z").
func appendRFC3339Nano(b []byte, ns int64) []byte {
	secs, frac := ns/1e9, ns%1e9
	if frac < 0 {
		secs, frac = secs-1, frac+1e9
	}
	days, rem := secs/86400, secs%86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	// civil date of a day count (H. Hinnant, "chrono-Compatible Low-Level
	// Date Algorithms", days_from_civil's inverse)
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	b = appendInt(b, y, 4)
	b = append(b, '-')
	b = appendInt(b, m, 2)
	b = append(b, '-')
	b = appendInt(b, d, 2)
	b = append(b, 'T')
	b = appendInt(b, rem/3600, 2)
	b = append(b, ':')
	b = appendInt(b, rem/60%60, 2)
	b = append(b, ':')
	b = appendInt(b, rem%60, 2)
	if frac != 0 {
		digits := 9
		for frac%10 == 0 {
			frac /= 10
			digits--
		}
		b = append(b, '.')
		b = appendInt(b, frac, digits)
	}
	return append(b, 'Z')
}

// appendInt appends v (non-negative) with at least width digits.
func appendInt(b []byte, v int64, width int) []byte {
	var d [20]byte
	i := len(d)
	for v >= 10 || width > 1 {
		i--
		d[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	d[i] = byte('0' + v)
	return append(b, d[i:]...)
}

// record encodes a pkgconfig.ShimRecord as encoding/json.Marshal does,
// with its trailing newline.
func record(start, dur int64, real string, args []string, merged bool, code int, stdout, stderr []byte) []byte {
	b := make([]byte, 0, 512+len(stdout)+len(stderr))
	b = append(b, `{"time":"`...)
	b = appendRFC3339Nano(b, start)
	b = append(b, `","argv":[`...)
	for i, a := range args {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, a)
	}
	b = append(b, `],"real":`...)
	b = appendString(b, real)
	imp, _ := syscall.Getenv("TOOLEXEC_IMPORTPATH")
	b = append(b, `,"import_path":`...)
	b = appendString(b, imp)
	b = append(b, `,"dir":`...)
	b = appendString(b, getwd())
	first := true
	for _, k := range relevantEnv {
		v, ok := syscall.Getenv(k)
		if !ok {
			continue
		}
		if first {
			b = append(b, `,"env":{`...)
			first = false
		} else {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, v)
	}
	if !first {
		b = append(b, '}')
	}
	b = append(b, `,"exit_code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"stdout":`...)
	b = appendString(b, string(stdout))
	b = append(b, `,"stderr":`...)
	b = appendString(b, string(stderr))
	if merged {
		b = append(b, `,"merged":true`...)
	}
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendFloat(b, float64(dur/1000)/1000, 'f', -1, 64)
	b = append(b, "}\n"...)
	return b
}

const hex = "0123456789abcdef"

// appendString is encoding/json's string encoding with HTML escaping (its
// default): invalid UTF-8 becomes U+FFFD, and U+2028, U+2029 are escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendRecord appends one line with a single write on an O_APPEND file
// under an exclusive flock, as pkgconfig's appendRecord does, so that
// concurrent calls (go build -p N) never interleave. Failing to record
// never changes the call's result.
func appendRecord(path string, line []byte) {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_APPEND|syscall.O_CREAT|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	if syscall.Flock(fd, syscall.LOCK_EX) == nil {
		defer syscall.Flock(fd, syscall.LOCK_UN)
	}
	for len(line) > 0 {
		n, err := syscall.Write(fd, line)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return
		}
		line = line[n:]
	}
}
