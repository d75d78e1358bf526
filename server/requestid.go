package server

import (
	"regexp"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/livedeck/livedeck/auth"
)

// requestIDPattern is what an X-Request-Id from a trusted proxy may be:
// short and printable, so it cannot forge log lines or bloat them.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:/+=-]{1,128}$`)

// requestIDs gives every request an id, in the X-Request-Id response
// header, the request's context (audit entries), error bodies and error
// log lines: the one a trusted proxy (auth's TrustedProxies) sent, or a
// new random one. An id from anyone else is replaced: a client must not
// choose the id an operator searches the logs by. Echo's RequestID
// middleware does the setting; this only decides what it may keep.
func (s *Server) requestIDs() echo.MiddlewareFunc {
	set := middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {
			c.SetRequest(c.Request().WithContext(auth.WithRequestID(c.Request().Context(), id)))
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := set(next)
		return func(c echo.Context) error {
			req := c.Request()
			if id := req.Header.Get(echo.HeaderXRequestID); id != "" && (!s.trustedPeer(req.RemoteAddr) || !requestIDPattern.MatchString(id)) {
				req.Header.Del(echo.HeaderXRequestID)
			}
			return h(c)
		}
	}
}

func (s *Server) trustedPeer(remoteAddr string) bool {
	return s.deps.Auth != nil && s.deps.Auth.TrustedPeer(remoteAddr)
}

// requestID is the id requestIDs gave the request.
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
