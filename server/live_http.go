package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// SeriesReader reads a room's time series (the live package provides it).
type SeriesReader interface {
	Series(ctx context.Context, room, metric, step string, since int64) ([][2]int64, error)
}

func (s *Server) liveRoutes(api *echo.Group) {
	api.GET("/rooms", s.listRooms)
	api.GET("/rooms/:room/metrics", s.roomMetrics)
	if s.deps.Series != nil {
		api.GET("/rooms/:room/series", s.roomSeries)
	}
}

// roomExists answers 404 for a room LiveDeck does not know.
func (s *Server) roomExists(ctx context.Context, room string) error {
	if !livedeck.ValidID(room) {
		return livedeck.Errorf(livedeck.EINVALID, "room", "room id must be 1-64 letters, digits, '_', '-' or '.'")
	}
	ok, err := s.deps.Redis.SIsMember(ctx, redisx.RoomsKey, room).Result()
	if err != nil {
		return livedeck.Errorf(livedeck.EUNAVAILABLE, "", "redis unavailable: %v", err)
	}
	if !ok {
		return livedeck.Errorf(livedeck.ENOTFOUND, "room", "no room %q", room)
	}
	return nil
}

// knownRoom is the request's context and :room, or the error for a room
// LiveDeck does not know.
func (s *Server) knownRoom(c echo.Context) (context.Context, string, error) {
	ctx, room := c.Request().Context(), c.Param("room")
	return ctx, room, s.roomExists(ctx, room)
}

// answerRoom answers, as JSON, what get reads for a room that exists.
func answerRoom[T any](s *Server, c echo.Context, get func(ctx context.Context, room string) (T, error)) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	v, err := get(ctx, room)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) roomMetrics(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	b, err := s.deps.Redis.Get(ctx, redisx.Room(room).Snapshot()).Bytes()
	if errors.Is(err, redis.Nil) {
		return c.JSON(http.StatusOK, livedeck.Snapshot{Room: room, SKUs: map[string]livedeck.SKUStats{}})
	}
	if err != nil {
		return livedeck.Errorf(livedeck.EUNAVAILABLE, "", "redis unavailable: %v", err)
	}
	return c.JSONBlob(http.StatusOK, b)
}

func (s *Server) roomSeries(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	metric, step := c.QueryParam("metric"), c.QueryParam("step")
	if step == "" {
		step = "1s"
	}
	since := time.Now().Add(-15 * time.Minute).UnixMilli()
	if v := c.QueryParam("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return livedeck.Errorf(livedeck.EINVALID, "since", "want Unix milliseconds, got %q", v)
		}
		since = n
	}
	pts, err := s.deps.Series.Series(ctx, room, metric, step, since)
	if err != nil {
		return err
	}
	if pts == nil {
		pts = [][2]int64{}
	}
	return c.JSON(http.StatusOK, map[string]any{"metric": metric, "step": step, "points": pts})
}

// roomSummary is one row of the multi-room overview.
type roomSummary struct {
	ID      string          `json:"id"`
	Title   string          `json:"title"`
	Status  string          `json:"status"`
	Metrics headlineNumbers `json:"metrics"`
}

type headlineNumbers struct {
	Online     int64   `json:"online"`
	UV         int64   `json:"uv"`
	GMV        int64   `json:"gmv"`
	OrdersPaid int64   `json:"orders_paid"`
	Conversion float64 `json:"conversion"`
	UVValue    float64 `json:"uv_value"`
	// Freshness, so an overview of many rooms shows which are not current.
	ViewersAgeSeconds float64 `json:"viewers_age_seconds"`
	OnlineStale       bool    `json:"online_stale"`
}

// listRooms lists every room with its headline numbers, for teams running
// several rooms at once.
func (s *Server) listRooms(c echo.Context) error {
	ctx := c.Request().Context()
	ids, err := s.deps.Redis.SMembers(ctx, redisx.RoomsKey).Result()
	if err != nil {
		return livedeck.Errorf(livedeck.EUNAVAILABLE, "", "redis unavailable: %v", err)
	}
	sort.Strings(ids)
	out := make([]roomSummary, 0, len(ids))
	pipe := s.deps.Redis.Pipeline()
	metas := make([]*redis.StringCmd, len(ids))
	snaps := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		metas[i] = pipe.Get(ctx, redisx.Room(id).Meta())
		snaps[i] = pipe.Get(ctx, redisx.Room(id).Snapshot())
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return livedeck.Errorf(livedeck.EUNAVAILABLE, "", "redis unavailable: %v", err)
	}
	for i, id := range ids {
		var room livedeck.Room
		var snap livedeck.Snapshot
		_ = json.Unmarshal([]byte(metas[i].Val()), &room)
		_ = json.Unmarshal([]byte(snaps[i].Val()), &snap)
		status := room.Status
		if status == "" {
			status = livedeck.RoomLive
		}
		out = append(out, roomSummary{ID: id, Title: room.Title, Status: status, Metrics: headlineNumbers{
			Online: snap.Online, UV: snap.UV, GMV: snap.GMV, OrdersPaid: snap.OrdersPaid,
			Conversion: snap.Conversion, UVValue: snap.UVValue,
			ViewersAgeSeconds: snap.ViewersAgeSeconds, OnlineStale: snap.OnlineStale,
		}})
	}
	return c.JSON(http.StatusOK, out)
}
