package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
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
// (role and rooms changes apply at once on this instance, within
// Config.LookupTTL on others; a disabled user is logged out).
func (s *Service) SessionPrincipal(ctx context.Context, cookie string) (*Principal, error) {
	su, err := s.sessionUser(ctx, cookie)
	if err != nil {
		return nil, err
	}
	if s.nowMs() >= su.sess.Expires {
		return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "session expired: log in again")
	}
	sess := su.sess
	sess.ID = cookie
	p := userPrincipal(su.user)
	p.Session = &sess
	return p, nil
}

// sessionUser is a session and its user, as cached.
type sessionUser struct {
	sess Session
	user User
}

// sessionUser reads a session and its user, reusing a read within
// Config.LookupTTL; refusals are never remembered.
func (s *Service) sessionUser(ctx context.Context, cookie string) (sessionUser, error) {
	sum := sha256.Sum256([]byte(cookie))
	return s.sessions.Lookup(sum, s.now(), func() (sessionUser, error) {
		return s.readSessionUser(ctx, redisx.AuthSession(hex.EncodeToString(sum[:])))
	})
}

// readSessionUser reads a session and its user from Redis.
func (s *Service) readSessionUser(ctx context.Context, key string) (sessionUser, error) {
	var su sessionUser
	b, err := s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return su, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "session expired or logged out: log in again")
	}
	if err != nil {
		return su, unavailable("read session", err)
	}
	if err := json.Unmarshal(b, &su.sess); err != nil {
		return su, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "session expired: log in again")
	}
	rec, err := s.userRecord(ctx, su.sess.User)
	if err != nil || rec.Disabled {
		if livedeck.ErrorCode(err) == livedeck.EUNAVAILABLE {
			return su, err
		}
		return su, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "user no longer allowed to log in")
	}
	su.user = rec.User
	return su, nil
}

// forgetUserSessions drops a changed user's sessions from this instance's
// cache, after the change is stored, so they see it at once here.
func (s *Service) forgetUserSessions(name string) {
	s.sessions.DropIf(func(_ [32]byte, su sessionUser) bool { return su.user.Name == name })
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil || p.Session == nil {
		return nil
	}
	sum := sha256.Sum256([]byte(p.Session.ID))
	if err := s.rdb.Del(ctx, redisx.AuthSession(hex.EncodeToString(sum[:]))).Err(); err != nil {
		return unavailable("logout", err)
	}
	s.sessions.Drop(sum)
	s.Audit(ctx, p, Entry{Action: "logout", Target: p.ID})
	return nil
}

// SessionTTL is how long a new session lasts.
func (s *Service) SessionTTL() time.Duration { return s.cfg.SessionTTL }
