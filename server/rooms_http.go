package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
)

// maxRoomBody bounds a room's JSON (500 products fit easily).
const maxRoomBody = 1 << 20

// createRoom is POST /api/v1/rooms.
func (s *Server) createRoom(c echo.Context) error {
	var room livedeck.Room
	if err := decodeRoomJSON(c, &room); err != nil {
		return err
	}
	room, err := s.deps.Ingest.Rooms().Create(c.Request().Context(), room)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/rooms/"+room.ID)
	return c.JSON(http.StatusCreated, room)
}

// getRoom is GET /api/v1/rooms/{room}.
func (s *Server) getRoom(c echo.Context) error {
	room, err := s.deps.Ingest.Rooms().Get(c.Request().Context(), c.Param("room"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, room)
}

// patchRoom is PATCH /api/v1/rooms/{room}: title, line-up, stock, status.
func (s *Server) patchRoom(c echo.Context) error {
	var p ingest.RoomPatch
	if err := decodeRoomJSON(c, &p); err != nil {
		return err
	}
	room, err := s.deps.Ingest.Rooms().Update(c.Request().Context(), c.Param("room"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, room)
}

// decodeRoomJSON reads one JSON object strictly: unknown fields and
// fractional money are refused, naming the field.
func decodeRoomJSON(c echo.Context, v any) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxRoomBody+1))
	if err != nil {
		return livedeck.Errorf(livedeck.EINVALID, "", "reading body: %v", err)
	}
	if len(body) > maxRoomBody {
		return livedeck.Errorf(livedeck.ETOOLARGE, "", "room JSON larger than 1 MiB")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		err = endOfBody(dec)
	}
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		return livedeck.Errorf(livedeck.EINVALID, te.Field, "must be %s", roomKindName(te.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return livedeck.Errorf(livedeck.EINVALID, name, "unknown field")
	}
	return livedeck.Errorf(livedeck.EINVALID, "", "not JSON: %v", err)
}

func roomKindName(kind string) string {
	switch kind {
	case "int64", "int":
		return "an integer (money in minor units, 分)"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a " + kind
}
