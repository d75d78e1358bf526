package server

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/review"
)

func (s *Server) reviewRoutes(api *echo.Group) {
	if s.deps.Review == nil || s.deps.Ingest == nil {
		return
	}
	r := api.Group("/rooms/:room")
	r.GET("/review", s.getReview)
	r.POST("/close", s.closeRoom)
}

// reviewWindow reads ?window= (minutes of cue effectiveness).
func reviewWindow(c echo.Context) (int, error) {
	w := c.QueryParam("window")
	if w == "" {
		return review.DefaultWindow, nil
	}
	n, err := strconv.Atoi(w)
	if err != nil || n < 1 || n > 60 {
		return 0, livedeck.Errorf(livedeck.EINVALID, "window", "window is whole minutes from 1 to 60, got %q", w)
	}
	return n, nil
}

// getReview serves a room's review (复盘): JSON, or with ?format=csv or
// ?format=html a download; ?compare=<room> sets an earlier broadcast beside
// it (the caller must be allowed in that room too: see reviewCompareInScope).
func (s *Server) getReview(c echo.Context) error {
	ctx := c.Request().Context()
	allowLongBuild(c)
	window, err := reviewWindow(c)
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "csv" && format != "html" {
		return livedeck.Errorf(livedeck.EINVALID, "format", "format is json, csv or html, got %q", format)
	}
	rooms := s.deps.Ingest.Rooms()
	room, err := rooms.Get(ctx, c.Param("room"))
	if err != nil {
		return err
	}
	rv, err := s.deps.Review.Get(ctx, room, window)
	if err != nil {
		return err
	}
	var earlier *review.Review
	if other := c.QueryParam("compare"); other != "" {
		if !livedeck.ValidID(other) {
			return livedeck.Errorf(livedeck.EINVALID, "compare", "room ids are 1-64 letters, digits, _ . -")
		}
		if other == room.ID {
			return livedeck.Errorf(livedeck.EINVALID, "compare", "compare with an earlier broadcast, not the room itself")
		}
		o, err := rooms.Get(ctx, other)
		if err != nil {
			return livedeck.Errorf(livedeck.ENOTFOUND, "compare", "room %q to compare with: %v", other, err)
		}
		if earlier, err = s.deps.Review.Get(ctx, o, window); err != nil {
			return err
		}
	}
	switch format {
	case "csv":
		download(c, "text/csv; charset=utf-8", room.ID+"-review.csv")
		return review.WriteCSV(c.Response(), rv)
	case "html":
		// The export carries its own styles and no script: allow exactly that.
		c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		download(c, "text/html; charset=utf-8", room.ID+"-review.html")
		return review.WriteHTML(c.Response(), rv, earlier, s.deps.Location)
	}
	if earlier != nil {
		return c.JSON(http.StatusOK, review.Compare(rv, earlier))
	}
	return c.JSON(http.StatusOK, rv)
}

// reviewBuildTime is how long building a review may take: folding a
// million-event show takes seconds (see docs/benchmarks.md), more than the
// server's write timeout allows ordinary requests.
const reviewBuildTime = 2 * time.Minute

// allowLongBuild extends this response's write deadline for a review build.
func allowLongBuild(c echo.Context) {
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(reviewBuildTime))
}

func download(c echo.Context, contentType, name string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, contentType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	c.Response().WriteHeader(http.StatusOK)
}

// closeRoom ends a broadcast: the room is marked closed and its review is
// built and kept. Closing a closed room again returns its review.
func (s *Server) closeRoom(c echo.Context) error {
	ctx := c.Request().Context()
	allowLongBuild(c)
	room, err := s.deps.Ingest.Rooms().Close(ctx, c.Param("room"))
	if err != nil {
		return err
	}
	rv, err := s.deps.Review.Get(ctx, room, review.DefaultWindow)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rv)
}
