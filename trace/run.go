package trace

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
)

// Cmd is one command for a Runner.
type Cmd struct {
	Name   string
	Args   []string
	Dir    string
	Env    []string
	Stdin  io.Reader // nil: no input
	Stdout io.Writer
	Stderr io.Writer
	// Signals, when set, are forwarded to the command's process group
	// while it runs (SIGINT, SIGTERM from the user).
	Signals <-chan os.Signal
	// Started, when set, is called with the process ID (which is also
	// its process group ID) once the command started.
	Started func(pid int)
}

// Runner runs commands. It is a field of BuildOptions so that most tests
// need no toolchain (STYLE.md: ko's injectable go build).
type Runner interface {
	// Run runs c to completion and returns its exit code. The error is
	// non-nil only when the command could not be run at all.
	Run(ctx context.Context, c Cmd) (int, error)
}

// ExecRunner runs commands with os/exec, each in its own process group so
// that a signal forwarded to the group reaches go build and the compilers
// and linkers it started.
type ExecRunner struct{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, c Cmd) (int, error) {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stdin = c.Stdin
	cmd.Stdout = c.Stdout
	cmd.Stderr = c.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		return -1, err
	}
	if c.Started != nil {
		c.Started(cmd.Process.Pid)
	}
	done := make(chan struct{})
	if c.Signals != nil {
		go func() {
			for {
				select {
				case sig := <-c.Signals:
					if s, ok := sig.(syscall.Signal); ok {
						syscall.Kill(-cmd.Process.Pid, s)
					}
				case <-done:
					return
				}
			}
		}()
	}
	err := cmd.Wait()
	close(done)
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	return -1, err
}
