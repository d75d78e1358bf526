package server

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/livedeck/livedeck"
)

// The server tests' requests and responses are checked against
// docs/openapi.yaml as they happen: the fixtures' handlers go through
// specChecked, and authFixture.do through checkExchange.

var spec struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// openAPI loads the embedded description once; the loader reads OpenAPI
// 3.1 and the validator applies JSON Schema 2020-12 to 3.1 documents.
func openAPI(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	if err := loadOpenAPI(); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	return spec.doc, spec.router
}

// loadOpenAPI loads the description once; safe from any goroutine.
func loadOpenAPI() error {
	spec.once.Do(func() {
		l := openapi3.NewLoader()
		if spec.doc, spec.err = l.LoadFromData(livedeck.OpenAPI); spec.err != nil {
			return
		}
		if spec.err = spec.doc.Validate(l.Context); spec.err != nil {
			return
		}
		spec.router, spec.err = legacy.NewRouter(spec.doc)
		// Bodies the spec describes as text (NDJSON, CSV, HTML, console
		// assets) are read as strings.
		// An empty YAML body (a room without rules) is null, not an error.
		if yml := openapi3filter.RegisteredBodyDecoder("application/yaml"); yml != nil {
			openapi3filter.RegisterBodyDecoder("application/yaml", func(r io.Reader, h http.Header, sr *openapi3.SchemaRef, enc openapi3filter.EncodingFn) (any, error) {
				b, err := io.ReadAll(r)
				if err != nil || len(bytes.TrimSpace(b)) == 0 {
					return nil, err
				}
				return yml(bytes.NewReader(b), h, sr, enc)
			})
		}
		for _, ct := range []string{"application/x-ndjson", "text/csv", "text/html", "text/javascript", "text/css", "application/octet-stream", "image/svg+xml", "text/xml"} {
			if openapi3filter.RegisteredBodyDecoder(ct) == nil {
				openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
			}
		}
	})
	return spec.err
}

var specOptions = &openapi3filter.Options{
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc, // the policy tests check who may call what
	IncludeResponseStatus: true,
}

// checkExchange validates one request and its response against the spec.
// A request the spec refuses must be refused by the server too (4xx); every
// response must be one the spec describes. Paths the spec does not have
// (unknown routes, test-only routes) are left to the route coverage test.
func checkExchange(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) {
	t.Helper()
	if err := loadOpenAPI(); err != nil { // Errorf, not Fatalf: this may run on a server's goroutine
		t.Errorf("docs/openapi.yaml: %v", err)
		return
	}
	router := spec.router
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(r)
	if err != nil {
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: specOptions}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && status < 400 {
		t.Errorf("%s %s: docs/openapi.yaml refuses the request, yet the server answered %d: %v", req.Method, req.URL, status, err)
	}
	if status == http.StatusSwitchingProtocols {
		return
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(respBody)), Options: specOptions}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s: the response %d %s is not one docs/openapi.yaml describes: %v\nbody: %.300s",
			req.Method, req.URL, status, header.Get("Content-Type"), err, respBody)
	}
}

// specChecked serves h and checks each exchange with checkExchange.
// Websocket upgrades pass straight through (their request is checked).
func specChecked(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			rw := &statusWriter{ResponseWriter: w}
			h.ServeHTTP(rw, r)
			if rw.status == 0 {
				rw.status = http.StatusSwitchingProtocols
			}
			if rw.status == http.StatusSwitchingProtocols {
				checkExchange(t, r, body, rw.status, nil, nil)
			}
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		checkExchange(t, r, body, rec.Code, rec.Header(), rec.Body.Bytes())
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// statusWriter remembers the status of a response that may be hijacked.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
