package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/store"
)

// Error codes of the HTTP layer, beside aggregation's.
const (
	codeJSON         = "malformed_json"
	codeBase64       = "bad_base64"
	codeTooLarge     = "body_too_large"
	codeUnauthorized = "unauthorized"
	codeNotFound     = "not_found"
	codeInternal     = "internal"
)

// statusOf is the HTTP status of each aggregation error code. A code
// not listed is the server's fault.
var statusOf = map[string]int{
	"malformed":         http.StatusBadRequest,
	"unknown_batch":     http.StatusNotFound,
	"batch_exists":      http.StatusConflict,
	"batch_closed":      http.StatusConflict,
	"batch_open":        http.StatusConflict,
	"wrong_methodology": http.StatusBadRequest,
	"unknown_company":   http.StatusForbidden,
	"bad_signature":     http.StatusBadRequest,
	"decrypt_failed":    http.StatusBadRequest,
	"replayed_report":   http.StatusConflict,
	"wrong_batch":       http.StatusBadRequest,
	"unknown_report":    http.StatusNotFound,
	"already_counted":   http.StatusConflict,
	"invalid_share":     http.StatusBadRequest,
	"below_threshold":   http.StatusConflict,
	"count_mismatch":    http.StatusConflict,
	"reports_pending":   http.StatusConflict,
	"bad_statement":     http.StatusBadGateway,
	"unknown_job":       http.StatusNotFound,
	"job_conflict":      http.StatusConflict,
	"already_published": http.StatusConflict,
	codeJSON:            http.StatusBadRequest,
	codeBase64:          http.StatusBadRequest,
	codeTooLarge:        http.StatusRequestEntityTooLarge,
	codeUnauthorized:    http.StatusUnauthorized,
	codeNotFound:        http.StatusNotFound,
	"peer_unavailable":  http.StatusBadGateway,

	"unknown_cohort":       http.StatusNotFound,
	"not_member":           http.StatusForbidden,
	"narrow_cohort":        http.StatusConflict,
	"cohort_mismatch":      http.StatusConflict,
	"differencing":         http.StatusConflict,
	codeForbidden:          http.StatusForbidden,
	"reason_required":      http.StatusBadRequest,
	"rationale_required":   http.StatusBadRequest,
	"enrollment_exists":    http.StatusConflict,
	"unknown_enrollment":   http.StatusNotFound,
	"already_decided":      http.StatusConflict,
	"cohort_exists":        http.StatusConflict,
	"account_exists":       http.StatusConflict,
	"unknown_account":      http.StatusNotFound,
	"account_disabled":     http.StatusConflict,
	"bootstrap_account":    http.StatusConflict,
	"unknown_reassignment": http.StatusNotFound,
	"no_change":            http.StatusConflict,
	"not_approved":         http.StatusNotFound,
}

// storeCodes names the store's governance errors for the caller.
var storeCodes = []struct {
	err  error
	code string
}{
	{store.ErrPublished, "already_published"},
	{store.ErrUnknownReport, codeNotFound},
	{store.ErrEnrollmentExists, "enrollment_exists"},
	{store.ErrUnknownEnrollment, "unknown_enrollment"},
	{store.ErrNotPending, "already_decided"},
	{store.ErrCohortExists, "cohort_exists"},
	{store.ErrAccountExists, "account_exists"},
	{store.ErrUnknownAccount, "unknown_account"},
	{store.ErrAccountDisabled, "account_disabled"},
	{store.ErrUnknownReassign, "unknown_reassignment"},
	{store.ErrNoChange, "no_change"},
	{store.ErrNotApproved, "not_approved"},
}

// requestError is a refusal the handler chose the code of.
type requestError struct {
	code string
	err  error
}

func (e *requestError) Error() string { return e.err.Error() }
func (e *requestError) Unwrap() error { return e.err }

func refuse(code string, format string, args ...any) error {
	return &requestError{code: code, err: fmt.Errorf(format, args...)}
}

// codeOf names an error for the caller.
func codeOf(err error) string {
	var re *requestError
	switch {
	case errors.As(err, &re):
		return re.code
	case errors.Is(err, api.ErrBase64):
		return codeBase64
	case errors.Is(err, ErrPeerUnavailable):
		return "peer_unavailable"
	}
	for _, sc := range storeCodes {
		if errors.Is(err, sc.err) {
			return sc.code
		}
	}
	return aggregation.Code(err)
}

// handleError answers every error as {"error": {"code", "message"}}. A
// 5xx says only "internal error": its cause is logged, not sent.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := codeOf(err), err.Error()
	status, ok := statusOf[code]
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < 500 {
		code, msg = echoCode(he), fmt.Sprint(he.Message)
		status, ok = he.Code, true
	}
	if !ok {
		status, code, msg = http.StatusInternalServerError, codeInternal,
			"internal error"
		c.Set(causeKey, err)
	}
	c.Set(codeKey, code)
	body := api.Error{Error: api.ErrorDetail{Code: code, Message: msg}}
	if err := c.JSON(status, body); err != nil {
		s.cfg.Logger.Error("write_error", slog.Any("error", err))
	}
}

func echoCode(he *echo.HTTPError) string {
	switch he.Code {
	case http.StatusNotFound:
		return codeNotFound
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	}
	return "http_" + strconv.Itoa(he.Code)
}

// decode reads a JSON body of at most max bytes into v, refusing
// unknown fields and trailing data, so a mistyped field name is an
// error rather than a silently missing value.
func decode(c echo.Context, max int64, v any) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, max+1))
	if err != nil {
		return refuse(codeJSON, "read body: %v", err)
	}
	if int64(len(body)) > max {
		return refuse(codeTooLarge, "body is over %d bytes", max)
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return refuse(codeJSON, "body is not the expected JSON: %s",
			jsonProblem(err))
	}
	if d.More() {
		return refuse(codeJSON, "body has data after the JSON value")
	}
	return nil
}

// jsonProblem describes a decoding error without quoting the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be a %s", te.Field, te.Type)
	case errors.Is(err, io.EOF):
		return "empty body"
	}
	return err.Error()
}

const (
	codeKey  = "error_code"
	causeKey = "error_cause"
)

// accessLog writes one line per request: 5xx at Error with the cause,
// 4xx at Warn with the code, the rest at Info. The path and the error
// code are all it says of the request.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		d := time.Since(start)
		s.m.observe(c.Path(), c.Request().Method, status, d)
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			slog.Int64("bytes_out", c.Response().Size),
		}
		level := slog.LevelInfo
		if code, ok := c.Get(codeKey).(string); ok {
			attrs = append(attrs, slog.String("code", code))
			level = slog.LevelWarn
		}
		if cause, ok := c.Get(causeKey).(error); ok {
			attrs = append(attrs, slog.String("cause", cause.Error()))
			level = slog.LevelError
		}
		s.cfg.Logger.LogAttrs(c.Request().Context(), level, "request",
			attrs...)
		return nil
	}
}

// recover turns a panic in a handler into a 500, logged with the rest.
func (s *Server) recover(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// bearer returns the request's bearer token, or "".
func bearer(c echo.Context) string {
	const prefix = "Bearer "
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(h) <= len(prefix) || h[:len(prefix)] != prefix {
		return ""
	}
	return h[len(prefix):]
}

func (s *Server) requirePeer(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireToken(s.cfg.PeerToken, "the peer aggregator", next)
}

// requireToken admits a request bearing the token whose hash is h. A
// zero hash admits nobody: an unset token must not mean an open door.
func (s *Server) requireToken(h TokenHash, who string,
	next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h == (TokenHash{}) || !h.matches(bearer(c)) {
			return refuse(codeUnauthorized, "this endpoint needs the "+
				"bearer token of %s", who)
		}
		return next(c)
	}
}
