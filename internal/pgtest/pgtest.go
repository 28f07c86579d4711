// Package pgtest gives tests a real PostgreSQL: a throwaway server the
// package initialises (initdb) and starts (postgres) in a temp directory on
// a free loopback port, once per test binary, with its unix socket in the
// same directory and trust authentication. Every call to New gets its own
// schema, so tests never see each other's tables.
//
// The server is run as a child of the test binary rather than through
// pg_ctl's daemon: it dies with the binary (SIGQUIT on parent death, which is
// PostgreSQL's immediate shutdown), so a killed test run leaves no server
// behind. A package that uses pgtest wraps its TestMain's m with Runner, which
// stops the server and removes its directory after the tests.
//
// There is no skip: without PostgreSQL's binaries (Debian's postgresql
// package, /usr/lib/postgresql/*/bin) a test that asks for a server fails and
// says so. Run as root (CI), initdb and postgres run as the postgres user.
package pgtest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

var (
	once    sync.Once
	srv     *server
	bootErr error
	seq     atomic.Int64
	// StartTime is how long initdb and the server's start took (zero before
	// the first New); tests and the README report it.
	startTime atomic.Int64
)

type server struct {
	dir  string // temp directory: data/ and the unix socket
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when the server has exited
}

// URL returns the base connection URL of the shared test server (database
// postgres, user postgres), starting it on first use. It fails the test with
// a clear message if no server can be had.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		began := time.Now()
		srv, bootErr = boot()
		startTime.Store(int64(time.Since(began)))
	})
	if bootErr != nil {
		t.Fatalf("pgtest: no PostgreSQL for tests: %v\n(install Debian's postgresql package: `apt-get install postgresql`; .ci/run does)", bootErr)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", srv.port)
}

// StartTime is how long the shared server took to initialise and start
// (zero if it has not been started).
func StartTime() time.Duration { return time.Duration(startTime.Load()) }

// New returns a connection URL whose search_path is a schema of its own
// (created now, dropped with everything in it when the test ends).
func New(t testing.TB) string {
	t.Helper()
	base := URL(t)
	schema := fmt.Sprintf("t%d", seq.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	return base + "&search_path=" + schema
}

// Runner wraps a package's *testing.M so that the shared server is stopped
// and its directory removed after the tests:
//
//	func TestMain(m *testing.M) { leaktest.Main(pgtest.Runner(m)) }
func Runner(m interface{ Run() int }) interface{ Run() int } { return runner{m} }

type runner struct{ m interface{ Run() int } }

func (r runner) Run() int {
	code := r.m.Run()
	if err := stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// stop ends the shared server (fast shutdown, then a kill after 10 s) and
// removes its directory.
func stop() error {
	if srv == nil {
		return nil
	}
	_ = srv.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-srv.done:
	case <-time.After(10 * time.Second):
		_ = srv.cmd.Process.Kill()
		<-srv.done
	}
	if err := os.RemoveAll(srv.dir); err != nil {
		return fmt.Errorf("remove %s: %w", srv.dir, err)
	}
	return nil
}

// BinDir finds PostgreSQL's server binaries: the newest
// /usr/lib/postgresql/<version>/bin with initdb and postgres, else initdb on
// PATH.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			d := filepath.Dir(real)
			if isFile(filepath.Join(d, "postgres")) {
				return d, nil
			}
		}
	}
	return "", errors.New("no initdb and postgres under /usr/lib/postgresql/*/bin or on PATH")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func boot() (*server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "warmline-pg-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	fail := func(err error) (*server, error) {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	cred, err := credential(dir)
	if err != nil {
		return fail(err)
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %w\n%s", err, out))
	}
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	// Durability off: a test server's data need not survive a crash.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=100", "-c", "shared_buffers=32MB")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	cmd.Stderr = cmd.Stdout
	var logTail tail
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("start postgres: %w", err))
	}
	s := &server{dir: dir, port: port, cmd: cmd, done: make(chan struct{})}
	go logTail.drain(out)
	go func() { _ = cmd.Wait(); close(s.done) }()
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=1", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err = ping(u); err == nil {
			return s, nil
		}
		select {
		case <-s.done:
			return fail(fmt.Errorf("postgres exited: %s", logTail.String()))
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-s.done
			return fail(fmt.Errorf("postgres on port %d did not answer: %w\n%s", port, err, logTail.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// credential is who runs initdb and postgres: nobody else when the test
// runs as an ordinary user; the postgres user (owning dir) when it runs as
// root, which PostgreSQL refuses.
func credential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres user (Debian's postgresql package creates it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, fmt.Errorf("chown %s: %w", dir, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func ping(u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the server's last log lines for error messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) drain(r io.Reader) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		t.mu.Lock()
		t.lines = append(t.lines, s.Text())
		if len(t.lines) > 20 {
			t.lines = t.lines[1:]
		}
		t.mu.Unlock()
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
