package danmaku

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Endpoint is what a client needs to connect to a room.
type Endpoint struct {
	RoomID int64    // the room's real (long) id, as the auth packet wants it
	URLs   []string // websocket URLs, tried in turn
	Key    string   // auth key (getDanmuInfo's token); empty connects as an anonymous guest
	UID    int64    // the logged-in account of the cookie; 0 for a guest
	Buvid  string   // the cookie's buvid3, sent in the auth packet
}

// DefaultURL is the public danmaku server, used when getDanmuInfo lists none.
const DefaultURL = "wss://broadcastlv.chat.bilibili.com:443/sub"

// UserAgent is sent on every request and the websocket handshake: the key
// is tied to the User-Agent that fetched it, so both must match.
const UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

// Bootstrap finds a room's danmaku servers and key through the web APIs:
// the room's real id (room/v1/Room/get_info), the Wbi keys (nav), then
// getDanmuInfo signed with them.
type Bootstrap struct {
	LiveAPI string       // zero means https://api.live.bilibili.com
	NavURL  string       // zero means https://api.bilibili.com/x/web-interface/nav
	Client  *http.Client // zero means a client with a 10 s timeout
	Cookie  string       // optional browser cookie (SESSDATA=…; buvid3=…): a logged-in account sees unmasked names
	Now     func() time.Time
}

// Endpoint resolves roomID (the id in the room's URL; a short id is
// resolved to the real one).
func (b *Bootstrap) Endpoint(ctx context.Context, roomID int64) (Endpoint, error) {
	ep := Endpoint{RoomID: roomID, Buvid: cookieValue(b.Cookie, "buvid3")}
	var room struct {
		RoomID int64 `json:"room_id"`
	}
	if err := b.get(ctx, b.live()+"/room/v1/Room/get_info?room_id="+strconv.FormatInt(roomID, 10), &room); err != nil {
		return ep, err
	}
	if room.RoomID > 0 {
		ep.RoomID = room.RoomID
	}
	var nav struct {
		IsLogin bool  `json:"isLogin"`
		Mid     int64 `json:"mid"`
		WbiImg  struct {
			ImgURL string `json:"img_url"`
			SubURL string `json:"sub_url"`
		} `json:"wbi_img"`
	}
	// nav answers code -101 to a guest, with the Wbi keys all the same.
	if err := b.get(ctx, b.nav(), &nav, -101); err != nil {
		return ep, err
	}
	if nav.IsLogin {
		ep.UID = nav.Mid
	}
	key, err := WbiKey(nav.WbiImg.ImgURL, nav.WbiImg.SubURL)
	if err != nil {
		return ep, err
	}
	q := WbiSign(url.Values{"id": {strconv.FormatInt(ep.RoomID, 10)}, "type": {"0"}}, key, b.now())
	var info struct {
		Token    string `json:"token"`
		HostList []struct {
			Host    string `json:"host"`
			WSSPort int    `json:"wss_port"`
		} `json:"host_list"`
	}
	if err := b.get(ctx, b.live()+"/xlive/web-room/v1/index/getDanmuInfo?"+q.Encode(), &info); err != nil {
		return ep, err
	}
	ep.Key = info.Token
	for _, h := range info.HostList {
		if h.Host != "" && h.WSSPort > 0 {
			ep.URLs = append(ep.URLs, fmt.Sprintf("wss://%s:%d/sub", h.Host, h.WSSPort))
		}
	}
	if len(ep.URLs) == 0 {
		ep.URLs = []string{DefaultURL}
	}
	return ep, nil
}

// get fetches a Bilibili API answer {"code","message","data"} into data;
// codes other than 0 and okCodes are errors.
func (b *Bootstrap) get(ctx context.Context, u string, data any, okCodes ...int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", UserAgent)
	if b.Cookie != "" {
		req.Header.Set("Cookie", b.Cookie)
	}
	resp, err := b.client().Do(req)
	if err != nil {
		return fmt.Errorf("danmaku bootstrap: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("danmaku bootstrap %s: %w", redactQuery(u), err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("danmaku bootstrap %s: HTTP %d", redactQuery(u), resp.StatusCode)
	}
	var env struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("danmaku bootstrap %s: %w", redactQuery(u), err)
	}
	if env.Code != 0 && !slices.Contains(okCodes, env.Code) {
		return fmt.Errorf("danmaku bootstrap %s: code %d: %s", redactQuery(u), env.Code, env.Message)
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return fmt.Errorf("danmaku bootstrap %s: no data in the answer", redactQuery(u))
	}
	if err := json.Unmarshal(env.Data, data); err != nil {
		return fmt.Errorf("danmaku bootstrap %s: %w", redactQuery(u), err)
	}
	return nil
}

func (b *Bootstrap) live() string {
	if b.LiveAPI != "" {
		return strings.TrimRight(b.LiveAPI, "/")
	}
	return "https://api.live.bilibili.com"
}

func (b *Bootstrap) nav() string {
	if b.NavURL != "" {
		return b.NavURL
	}
	return "https://api.bilibili.com/x/web-interface/nav"
}

func (b *Bootstrap) client() *http.Client {
	if b.Client != nil {
		return b.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (b *Bootstrap) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// cookieValue is the value of name in a Cookie header.
func cookieValue(header, name string) string {
	cookies, _ := http.ParseCookie(header)
	for _, c := range cookies {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func redactQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
