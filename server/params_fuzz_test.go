package server

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/internal/redistest"
)

// wantFieldError fails unless err is a *livedeck.Error of code on field.
func wantFieldError(t *testing.T, err error, code, field string) {
	t.Helper()
	var le *livedeck.Error
	if !errors.As(err, &le) || le.Code != code || le.Field != field || le.Message == "" {
		t.Fatalf("error %v, want %s on field %q", err, code, field)
	}
}

// FuzzVersionAndWindow checks If-Match (or ?base=) and ?window=: an
// accepted value is in range and reads the same once written back; a
// refused one is an invalid error on its field. Seeds: testdata/fuzz.
func FuzzVersionAndWindow(f *testing.F) {
	e := echo.New()
	ctxWith := func(ifMatch string, q url.Values) echo.Context {
		r := httptest.NewRequest(http.MethodGet, "/?"+q.Encode(), nil)
		r.Header.Set("If-Match", ifMatch)
		return e.NewContext(r, httptest.NewRecorder())
	}
	f.Fuzz(func(t *testing.T, ifMatch, base, window string) {
		v, err := baseVersion(ctxWith(ifMatch, url.Values{"base": {base}}))
		switch {
		case err != nil:
			wantFieldError(t, err, livedeck.EINVALID, "If-Match")
		case v == nil:
			if strings.Trim(ifMatch, `" `) != "" || base != "" {
				t.Fatalf("If-Match %q, base %q: no version", ifMatch, base)
			}
		case *v < 0:
			t.Fatalf("version %d accepted", *v)
		default:
			back, err := baseVersion(ctxWith(`"`+strconv.FormatInt(*v, 10)+`"`, nil))
			if err != nil || *back != *v {
				t.Fatalf("version %d written back reads %v, %v", *v, back, err)
			}
		}
		n, err := reviewWindow(ctxWith("", url.Values{"window": {window}}))
		switch {
		case err != nil:
			wantFieldError(t, err, livedeck.EINVALID, "window")
		case window == "" && n == 0:
			t.Fatal("no default window")
		case n < 1 || n > 60:
			t.Fatalf("window %q → %d accepted", window, n)
		}
	})
}

// sinceRecorder is a SeriesReader that remembers the since it was asked.
type sinceRecorder struct{ since int64 }

func (s *sinceRecorder) Series(_ context.Context, _, _, _ string, since int64) ([][2]int64, error) {
	s.since = since
	return nil, nil
}

// FuzzSeriesSince sends ?since= to GET /api/v1/rooms/{room}/series: a
// whole number reaches the series reader unchanged, anything else is a
// 400 naming the field "since".
func FuzzSeriesSince(f *testing.F) {
	rdb := redistest.Start(f).Client(f)
	addRoom(f, rdb, "r1")
	rec := &sinceRecorder{}
	srv, err := New(Config{}, Deps{Redis: rdb, Series: rec})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, since string) {
		rec.since = -1 << 63
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/rooms/r1/series?"+url.Values{"since": {since}}.Encode(), nil))
		n, perr := strconv.ParseInt(since, 10, 64)
		switch {
		case since == "":
			if w.Code != http.StatusOK {
				t.Fatalf("no since: %d %s", w.Code, w.Body)
			}
		case perr == nil:
			if w.Code != http.StatusOK || rec.since != n {
				t.Fatalf("since %q: %d %s, reader got %d", since, w.Code, w.Body, rec.since)
			}
		default:
			var body errorBody
			if w.Code != http.StatusBadRequest || json.Unmarshal(w.Body.Bytes(), &body) != nil || body.Error.Field != "since" {
				t.Fatalf("since %q: %d %s, want 400 on field since", since, w.Code, w.Body)
			}
		}
	})
}

// bodyTargets are the JSON bodies of login, users, rooms and room patches,
// each with the decoder its route uses.
var bodyTargets = []struct {
	name   string
	new    func() any
	decode func(echo.Context, any) error
}{
	{"login", func() any {
		return &struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}{}
	}, decodeStrict},
	{"user", func() any { return &auth.NewUser{} }, decodeStrict},
	{"user patch", func() any { return &auth.UserPatch{} }, decodeStrict},
	{"room", func() any { return &livedeck.Room{} }, decodeRoomJSON},
	{"room patch", func() any { return &ingest.RoomPatch{} }, decodeRoomJSON},
}

// FuzzDecodeBody checks the strict JSON body decoders: a body is either
// refused with an invalid (or too large) error, or it is exactly one JSON
// value whose decoding round-trips through encoding/json.
func FuzzDecodeBody(f *testing.F) {
	e := echo.New()
	f.Fuzz(func(t *testing.T, body string) {
		for _, bt := range bodyTargets {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			v := bt.new()
			err := bt.decode(e.NewContext(r, httptest.NewRecorder()), v)
			if err != nil {
				if code := livedeck.ErrorCode(err); code != livedeck.EINVALID && code != livedeck.ETOOLARGE {
					t.Fatalf("%s %q: error %v is not a livedeck invalid error", bt.name, body, err)
				}
				continue
			}
			if !json.Valid([]byte(body)) {
				t.Fatalf("%s %q accepted: not one JSON value", bt.name, body)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: re-encoding %+v: %v", bt.name, v, err)
			}
			again := bt.new()
			// An empty map or list reads back as none (omitempty): the same
			// to every user of these values.
			if err := json.Unmarshal(b, again); err != nil || !cmp.Equal(again, v, cmpopts.EquateEmpty()) {
				t.Fatalf("%s %q → %s → %+v (%v), want %+v", bt.name, body, b, again, err, v)
			}
		}
	})
}
