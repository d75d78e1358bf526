package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/review"
)

// roomLifecycleRoutes: archiving and deleting rooms (admins; audited, see
// policy.go). Closing is POST /rooms/{room}/close (review_http.go).
func (s *Server) roomLifecycleRoutes(api *echo.Group) {
	if s.deps.Ingest == nil || s.deps.Review == nil {
		return
	}
	api.POST("/rooms/:room/archive", s.archiveRoom)
	api.DELETE("/rooms/:room", s.deleteRoom)
}

// archived is the reply to POST /api/v1/rooms/{room}/archive.
type archived struct {
	Room          livedeck.Room `json:"room"`          // status "archived", archived: Unix ms
	Review        string        `json:"review"`        // where the kept review is served
	EventsExpire  int64         `json:"events_expire"` // Unix ms: the event stream, dedupe sets and dead letters go then
	HostLinksGone int           `json:"host_links_revoked"`
}

// archiveRoom is POST /api/v1/rooms/{room}/archive: a closed room takes no
// more events or changes, its final review is kept and its event stream
// expires after the retention. Archiving an archived room again repeats
// what may have failed and answers the same.
func (s *Server) archiveRoom(c echo.Context) error {
	ctx := c.Request().Context()
	allowLongBuild(c)
	rooms := s.deps.Ingest.Rooms()
	room, err := rooms.Archive(ctx, c.Param("room"), s.keepReview)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, archived{Room: room, Review: "/api/v1/rooms/" + room.ID + "/review",
		EventsExpire: time.Now().Add(rooms.Retention()).UnixMilli()})
}

// keepReview saves the room's final review (rebuilt if an event arrived
// since the one kept at close) before its events expire.
func (s *Server) keepReview(ctx context.Context, room livedeck.Room) error {
	if t := s.deps.Review.Text; t != nil {
		if err := t.Ready(ctx); err != nil { // the kept review must have its keywords
			return err
		}
	}
	room.Status = livedeck.RoomClosed // built and saved as a closed room's
	_, err := s.deps.Review.Get(ctx, room, review.DefaultWindow)
	return err
}

// deleteRoom is DELETE /api/v1/rooms/{room}: an archived room at rest and
// every Redis key it has are removed, its host links revoked.
func (s *Server) deleteRoom(c echo.Context) error {
	ctx := c.Request().Context()
	room, revoked := c.Param("room"), 0
	del, err := s.deps.Ingest.Rooms().Delete(ctx, room, func(ctx context.Context) (err error) {
		revoked, err = s.revokeRoomLinks(ctx, c, room)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		Room          string `json:"room"`
		Keys          int    `json:"keys_deleted"`
		HostLinksGone int    `json:"host_links_revoked"`
	}{del.Room, del.Keys, revoked})
}

// revokeRoomLinks revokes every host link of the room: their tokens live
// outside the room's keys.
func (s *Server) revokeRoomLinks(ctx context.Context, c echo.Context, room string) (int, error) {
	if s.deps.Auth == nil {
		return 0, nil
	}
	links, err := s.deps.Auth.ListHostLinks(ctx, room)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range links {
		err := s.deps.Auth.RevokeHostLink(ctx, caller(c), room, l.ID)
		if err != nil && livedeck.ErrorCode(err) != livedeck.ENOTFOUND {
			return n, err
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}
