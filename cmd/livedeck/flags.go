package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

// flagSet wraps flag.FlagSet so that every flag has a LIVEDECK_* environment
// variable: the flag wins over the variable, the variable over the default.
type flagSet struct {
	*flag.FlagSet
	env map[string]string // flag name → variable
}

func newFlagSet(name, summary string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), env: map[string]string{}}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: livedeck %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func (fs *flagSet) String(p *string, name, env, def, usage string) {
	fs.StringVar(p, name, def, fs.help(usage, env))
	fs.env[name] = env
}

func (fs *flagSet) Int(p *int, name, env string, def int, usage string) {
	fs.IntVar(p, name, def, fs.help(usage, env))
	fs.env[name] = env
}

func (fs *flagSet) Duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	fs.DurationVar(p, name, def, fs.help(usage, env))
	fs.env[name] = env
}

func (fs *flagSet) Bool(p *bool, name, env string, def bool, usage string) {
	fs.BoolVar(p, name, def, fs.help(usage, env))
	fs.env[name] = env
}

func (fs *flagSet) help(usage, env string) string {
	if env == "" {
		return usage
	}
	return usage + " (env " + env + ")"
}

// parse reads the environment first, then the arguments.
func (fs *flagSet) parse(args []string) error {
	for name, env := range fs.env {
		if env == "" {
			continue
		}
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s=%q: %w", env, v, err)
			}
		}
	}
	return fs.Parse(args)
}

// tokenFlag registers --token: the bearer token the HTTP tools send.
func tokenFlag(fs *flagSet, p *string) {
	fs.String(p, "token", "LIVEDECK_TOKEN", "", "bearer token for the server's API (an ingest or admin token; livedeck demo prints one)")
}

// bearer adds the Authorization header to every request a client sends.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if b.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.next.RoundTrip(r)
}

// authHeader is the websocket dial header carrying the token.
func authHeader(token string) http.Header {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return h
}
