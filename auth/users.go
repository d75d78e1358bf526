package auth

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// User is a console user. Its password is stored only as a bcrypt hash.
type User struct {
	Name     string   `json:"username"`
	Role     Role     `json:"role"`
	Rooms    []string `json:"rooms"`
	Disabled bool     `json:"disabled,omitempty"`
	Created  int64    `json:"created"` // Unix ms
}

// userRecord is a user as stored.
type userRecord struct {
	User
	Hash string `json:"hash"`
}

// NewUser is what an admin sends to create a user.
type NewUser struct {
	Name     string   `json:"username"`
	Password string   `json:"password"`
	Role     string   `json:"role"`
	Rooms    []string `json:"rooms"`
}

// UserPatch changes a user; nil fields stay.
type UserPatch struct {
	Role     *string   `json:"role,omitempty"`
	Rooms    *[]string `json:"rooms,omitempty"`
	Password *string   `json:"password,omitempty"`
	Disabled *bool     `json:"disabled,omitempty"`
}

var userPattern = regexp.MustCompile(`^[a-z0-9_.@-]{1,64}$`)

// Password bounds: bcrypt reads at most 72 bytes.
const (
	minPassword = 12
	maxPassword = 72
)

func normUser(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if !userPattern.MatchString(n) {
		return "", livedeck.Errorf(livedeck.EINVALID, "username", "want 1-64 of a-z, 0-9, '_', '.', '@', '-'")
	}
	return n, nil
}

func checkPassword(pw string) error {
	if len(pw) < minPassword || len(pw) > maxPassword {
		return livedeck.Errorf(livedeck.EINVALID, "password", "want %d to %d bytes", minPassword, maxPassword)
	}
	return nil
}

// CreateUser stores a new user; an existing name is a conflict.
func (s *Service) CreateUser(ctx context.Context, by *Principal, nu NewUser) (User, error) {
	rec, err := s.newUserRecord(nu)
	if err != nil {
		return User{}, err
	}
	if err := by.CheckGrant(rec.Role, rec.Rooms); err != nil {
		return User{}, err
	}
	b, _ := json.Marshal(rec)
	ok, err := s.rdb.SetNX(ctx, redisx.AuthUser(rec.Name), b, 0).Result()
	if err != nil {
		return User{}, unavailable("create user", err)
	}
	if !ok {
		return User{}, livedeck.Errorf(livedeck.ECONFLICT, "username", "user %q exists", rec.Name)
	}
	if err := s.rdb.SAdd(ctx, redisx.AuthUsersKey, rec.Name).Err(); err != nil {
		return User{}, unavailable("create user", err)
	}
	s.Audit(ctx, by, Entry{Action: "user.create", Target: rec.Name, Detail: scopeText(rec.Role, rec.Rooms)})
	return rec.User, nil
}

func (s *Service) newUserRecord(nu NewUser) (userRecord, error) {
	name, err := normUser(nu.Name)
	if err != nil {
		return userRecord{}, err
	}
	role, err := ParseRole(nu.Role)
	if err != nil {
		return userRecord{}, err
	}
	if role == Ingest {
		return userRecord{}, livedeck.Errorf(livedeck.EINVALID, "role", "ingest is for API tokens, not console users")
	}
	rooms, err := checkRooms(nu.Rooms)
	if err != nil {
		return userRecord{}, err
	}
	if err := checkPassword(nu.Password); err != nil {
		return userRecord{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(nu.Password), s.cfg.BcryptCost)
	if err != nil {
		return userRecord{}, livedeck.Errorf(livedeck.EINVALID, "password", "%v", err)
	}
	return userRecord{User: User{Name: name, Role: role, Rooms: rooms, Created: s.nowMs()}, Hash: string(hash)}, nil
}

// GetUser reads a user.
func (s *Service) GetUser(ctx context.Context, name string) (User, error) {
	rec, err := s.userRecord(ctx, name)
	return rec.User, err
}

func (s *Service) userRecord(ctx context.Context, name string) (userRecord, error) {
	var rec userRecord
	n, err := normUser(name)
	if err != nil {
		return rec, livedeck.Errorf(livedeck.ENOTFOUND, "user", "no user %q", name)
	}
	b, err := s.rdb.Get(ctx, redisx.AuthUser(n)).Bytes()
	if errors.Is(err, redis.Nil) {
		return rec, livedeck.Errorf(livedeck.ENOTFOUND, "user", "no user %q", n)
	}
	if err != nil {
		return rec, unavailable("read user", err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, livedeck.Errorf(livedeck.EINTERNAL, "", "user %q: corrupt record: %v", n, err)
	}
	return rec, nil
}

// ListUsersFor lists the users by may manage (see scope.go), by name.
func (s *Service) ListUsersFor(ctx context.Context, by *Principal) ([]User, error) {
	users, err := s.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(users, func(u User) bool {
		return by.CheckManage("", u.Role, u.Rooms) != nil
	}), nil
}

// ListUsers lists every user by name.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	names, err := s.rdb.SMembers(ctx, redisx.AuthUsersKey).Result()
	if err != nil {
		return nil, unavailable("list users", err)
	}
	sort.Strings(names)
	out := make([]User, 0, len(names))
	for _, n := range names {
		u, err := s.GetUser(ctx, n)
		if livedeck.ErrorCode(err) == livedeck.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// UpdateUser applies a patch and returns the user as it now is. Sessions of
// the user see the change on their next request. by may change only a user
// it manages, and only into a role and rooms it may grant.
func (s *Service) UpdateUser(ctx context.Context, by *Principal, name string, p UserPatch) (User, error) {
	rec, err := s.userRecord(ctx, name)
	if err != nil {
		return User{}, err
	}
	// A user may change its own password or disable itself, not widen
	// its own scope.
	self := by != nil && by.Kind == KindUser && by.ID == rec.Name && p.Role == nil && p.Rooms == nil
	if !self {
		if err := by.CheckManage("user "+rec.Name, rec.Role, rec.Rooms); err != nil {
			return User{}, err
		}
	}
	if err := s.applyPatch(&rec, p); err != nil {
		return User{}, err
	}
	if !self {
		if err := by.CheckGrant(rec.Role, rec.Rooms); err != nil {
			return User{}, err
		}
	}
	b, _ := json.Marshal(rec)
	if err := s.rdb.Set(ctx, redisx.AuthUser(rec.Name), b, 0).Err(); err != nil {
		return User{}, unavailable("update user", err)
	}
	s.forgetUserSessions(rec.Name)
	s.Audit(ctx, by, Entry{Action: "user.update", Target: rec.Name, Detail: patchText(p)})
	return rec.User, nil
}

func (s *Service) applyPatch(rec *userRecord, p UserPatch) error {
	if p.Role != nil {
		role, err := ParseRole(*p.Role)
		if err != nil {
			return err
		}
		if role == Ingest {
			return livedeck.Errorf(livedeck.EINVALID, "role", "ingest is for API tokens, not console users")
		}
		rec.Role = role
	}
	if p.Rooms != nil {
		rooms, err := checkRooms(*p.Rooms)
		if err != nil {
			return err
		}
		rec.Rooms = rooms
	}
	if p.Disabled != nil {
		rec.Disabled = *p.Disabled
	}
	if p.Password != nil {
		if err := checkPassword(*p.Password); err != nil {
			return err
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(*p.Password), s.cfg.BcryptCost)
		if err != nil {
			return livedeck.Errorf(livedeck.EINVALID, "password", "%v", err)
		}
		rec.Hash = string(hash)
	}
	return nil
}

// userPrincipal is the principal a user's session acts as.
func userPrincipal(u User) *Principal {
	return &Principal{Kind: KindUser, ID: u.Name, Name: u.Name, Role: u.Role, Rooms: u.Rooms}
}

// scopeText is a role and rooms for the audit log.
func scopeText(r Role, rooms []string) string {
	return "role=" + string(r) + " rooms=" + strings.Join(rooms, ",")
}

// patchText says what a patch changed, without the password itself.
func patchText(p UserPatch) string {
	var parts []string
	if p.Role != nil {
		parts = append(parts, "role="+*p.Role)
	}
	if p.Rooms != nil {
		parts = append(parts, "rooms="+strings.Join(*p.Rooms, ","))
	}
	if p.Disabled != nil {
		parts = append(parts, "disabled="+strconv.FormatBool(*p.Disabled))
	}
	if p.Password != nil {
		parts = append(parts, "password changed")
	}
	return strings.Join(parts, " ")
}
