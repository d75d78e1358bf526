package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// SessionCookie is the console session cookie's name.
const SessionCookie = "livedeck_session"

// CSRFHeader carries a session's CSRF token on state-changing requests.
const CSRFHeader = "X-CSRF-Token"

// Session is a console login. Its id is the cookie value, stored only as a
// hash; CSRF is the token state-changing requests must send in CSRFHeader.
type Session struct {
	ID      string `json:"-"`
	User    string `json:"user"`
	CSRF    string `json:"csrf"`
	Created int64  `json:"created"` // Unix ms
	Expires int64  `json:"expires"` // Unix ms
}

// CheckCSRF compares a presented CSRF token in constant time.
func (s *Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) == 1
}

// Login checks a user name and password, under the per-IP and per-user
// limits, and opens a session. Failures are audited; the error says only
// that the pair is wrong.
func (s *Service) Login(ctx context.Context, ip, name, password string) (*Session, User, error) {
	if err := s.allow(ctx, ClassLogin, "ip:"+ip, s.cfg.Limits.LoginPerIP, 1); err != nil {
		s.m.logins.WithLabelValues("rate_limited").Inc()
		return nil, User{}, err
	}
	userKey, _ := normUser(name)
	if err := s.allow(ctx, ClassLogin, "user:"+userKey, s.cfg.Limits.LoginPerUser, 0); err != nil {
		s.m.logins.WithLabelValues("rate_limited").Inc()
		return nil, User{}, err
	}
	u, err := s.checkPassword(ctx, name, password)
	if err != nil {
		if livedeck.ErrorCode(err) == livedeck.EUNAUTHORIZED {
			s.m.logins.WithLabelValues("failed").Inc()
			_ = s.allow(ctx, ClassLogin, "user:"+userKey, s.cfg.Limits.LoginPerUser, 1)
			s.Audit(ctx, nil, Entry{Action: "login.failed", Target: userKey, IP: ip})
		}
		return nil, User{}, err
	}
	sess, err := s.newSession(ctx, u.Name)
	if err != nil {
		return nil, User{}, err
	}
	s.m.logins.WithLabelValues("ok").Inc()
	s.Audit(ctx, userPrincipal(u), Entry{Action: "login", Target: u.Name, IP: ip})
	return sess, u, nil
}

var errBadLogin = livedeck.Errorf(livedeck.EUNAUTHORIZED, "password", "wrong user name or password")

// checkPassword verifies name and password, spending the same bcrypt time
// whether or not the user exists.
func (s *Service) checkPassword(ctx context.Context, name, password string) (User, error) {
	rec, err := s.userRecord(ctx, name)
	if err != nil && livedeck.ErrorCode(err) != livedeck.ENOTFOUND {
		return User{}, err
	}
	known := err == nil && !rec.Disabled
	hash := s.dummyHash
	if known {
		hash = []byte(rec.Hash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !known {
		return User{}, errBadLogin
	}
	return rec.User, nil
}

func (s *Service) newSession(ctx context.Context, user string) (*Session, error) {
	now := s.now()
	sess := &Session{
		ID: newSecret(prefixSession), User: user, CSRF: newSecret(""),
		Created: now.UnixMilli(), Expires: now.Add(s.cfg.SessionTTL).UnixMilli(),
	}
	b, _ := json.Marshal(sess)
	if err := s.rdb.Set(ctx, redisx.AuthSession(hashSecret(sess.ID)), b, s.cfg.SessionTTL).Err(); err != nil {
		return nil, unavailable("open session", err)
	}
	return sess, nil
}

// SessionPrincipal resolves a session cookie to its user as the user is now
// (role and rooms changes apply at once; a disabled user is logged out).
func (s *Service) SessionPrincipal(ctx context.Context, cookie string) (*Principal, error) {
	b, err := s.rdb.Get(ctx, redisx.AuthSession(hashSecret(cookie))).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "session expired or logged out: log in again")
	}
	if err != nil {
		return nil, unavailable("read session", err)
	}
	var sess Session
	if err := json.Unmarshal(b, &sess); err != nil || s.nowMs() >= sess.Expires {
		return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "session expired: log in again")
	}
	sess.ID = cookie
	rec, err := s.userRecord(ctx, sess.User)
	if err != nil || rec.Disabled {
		if livedeck.ErrorCode(err) == livedeck.EUNAVAILABLE {
			return nil, err
		}
		return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "user no longer allowed to log in")
	}
	p := userPrincipal(rec.User)
	p.Session = &sess
	return p, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil || p.Session == nil {
		return nil
	}
	if err := s.rdb.Del(ctx, redisx.AuthSession(hashSecret(p.Session.ID))).Err(); err != nil {
		return unavailable("logout", err)
	}
	s.Audit(ctx, p, Entry{Action: "logout", Target: p.ID})
	return nil
}

// SessionTTL is how long a new session lasts.
func (s *Service) SessionTTL() time.Duration { return s.cfg.SessionTTL }
