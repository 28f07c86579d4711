package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogger builds the one logger of the process.
func newLogger(cfg Config, stderr io.Writer) (*zap.Logger, error) {
	level := zapcore.InfoLevel
	if cfg.LogLevel != "" {
		if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
			return nil, fmt.Errorf("log level: %w", err)
		}
	}
	var enc zapcore.Encoder
	if cfg.LogFormat == "console" {
		ec := zap.NewDevelopmentEncoderConfig()
		ec.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05")
		enc = zapcore.NewConsoleEncoder(ec)
	} else {
		ec := zap.NewProductionEncoderConfig()
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(ec)
	}
	core := zapcore.NewCore(enc, zapcore.AddSync(stderr), level)
	return zap.New(core, zap.AddCaller()), nil
}

// serve runs the service until ctx is cancelled.
func serve(ctx context.Context, env environment, stdout, stderr io.Writer) error {
	return serveWith(ctx, env, stdout, stderr, serveOptions{clock: time.Now})
}

// serveOptions are what end-to-end tests inject into serve.
type serveOptions struct {
	clock  func() time.Time // drives SLA and timeout logic
	assets *assets          // loaded once and shared by many boots; nil: load from cfg
	// redisHook, when set, sees every command the app sends (tests count
	// round trips with it).
	redisHook redis.Hook
}

// serveWith is serve with injected options.
func serveWith(ctx context.Context, env environment, stdout, stderr io.Writer, o serveOptions) error {
	clock := o.clock
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base := cfg.PublicURL
	if base == "" {
		port := ln.Addr().(*net.TCPAddr).Port
		base = fmt.Sprintf("http://localhost:%d", port)
	}
	selfURL := fmt.Sprintf("http://127.0.0.1:%d", ln.Addr().(*net.TCPAddr).Port)

	rc, err := openRedis(ctx, cfg, log.Named("redis"))
	if err != nil {
		ln.Close()
		return err
	}
	defer rc.close()
	if o.redisHook != nil {
		rc.rdb.AddHook(o.redisHook)
	}

	app, err := buildApp(ctx, cfg, appEnv{log: log, rdb: rc.rdb, selfURL: selfURL, publicURL: base, clock: clock, assets: o.assets})
	if err != nil {
		ln.Close()
		return err
	}
	app.metrics.Registry().MustRegister(persistenceMetric(rc.persistence))
	defer app.closeLedger() // after the background work has stopped (below)

	srv := &http.Server{
		Handler:           app.routes(rc),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          zap.NewStdLog(log.Named("http")),
	}
	// WriteTimeout stays 0: the inbox's server-sent events are long-lived;
	// handlers set their own deadlines. Shutdown waits for handlers, so the
	// inbox ends its open event streams as soon as it starts.
	srv.RegisterOnShutdown(app.inbox.Close)

	var wg sync.WaitGroup
	bgCtx, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	app.startBackground(bgCtx, &wg)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-bgCtx.Done():
				return
			case <-hup:
				app.reloadKB(bgCtx)
			}
		}
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("warmline listening", zap.String("addr", ln.Addr().String()), zap.Bool("demo", cfg.Demo),
		zap.String("redis_mode", rc.mode), zap.String("redis_persistence", rc.persistence))
	fmt.Fprintf(stdout, "warmline listening on %s\n", selfURL)
	app.printWelcome(stdout, base)

	select {
	case err := <-errc:
		stopBG()
		wg.Wait()
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Workers first, at once: they finish the event in hand within the
	// consumer's drain timeout (10 s), while open streams keep Shutdown
	// waiting.
	stopBG()
	_ = srv.Shutdown(sctx) // stop accepting, finish in-flight requests
	// The Alerter's group reads block on Redis for up to 2 s and go-redis
	// does not end them on a cancelled context; closing its own pool (no
	// request uses it any more) ends them now instead of delaying every
	// shutdown by their block.
	app.stopAlertReads()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-sctx.Done():
		log.Warn("background work did not stop in time")
	}
	return nil
}

// noMaintNotifications turns off go-redis's maintenance notifications
// (Redis Enterprise/Cloud push notices): in auto mode v9.17 rewrites its
// options while WATCH copies them, a data race under load.
func noMaintNotifications() *maintnotifications.Config {
	return &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}
