// Package agent is a small reference check of the node-side verdict rules of cdktf-platform-trust (see
// conformance/README.md), written with Go's standard library and a DSSE library, to show that the formats are
// implementable outside TypeScript. It runs the conformance vectors; it is not a node agent.
package agent

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
)

const (
	PubkeysFormat     = "gpuaas-task-signing-pubkeys/v1"
	BundleKeysFormat  = "cdktf-platform-trust/bundle-keys/v1"
	BundleSchemaV1    = "cdktf-platform-trust/bootstrap-bundle/v1"
	BundleSchemaV2    = "cdktf-platform-trust/bootstrap-bundle/v2"
	PayloadTypeV1     = "application/vnd.cdktf-platform-trust.bootstrap-bundle.v1+json"
	PayloadTypeV2     = "application/vnd.cdktf-platform-trust.bootstrap-bundle.v2+json"
	maxKeyVersion     = 2147483647
	maxKeySetEntries  = 32
	maxKeySetText     = 16384
	maxRefreshHint    = 604800
	maxEnvelopeLength = 2 * 1024 * 1024
)

// TrustError is a refused value, with the node side's error code (NT001 ... NT015).
type TrustError struct {
	Code    string
	Message string
}

func (e *TrustError) Error() string { return e.Code + " " + e.Message }

func fail(code, format string, args ...any) *TrustError {
	return &TrustError{Code: code, Message: fmt.Sprintf(format, args...)}
}

const (
	ntMalformed       = "NT001"
	ntInvalidField    = "NT002"
	ntVersions        = "NT003"
	ntKid             = "NT004"
	ntPublicKey       = "NT005"
	ntDate            = "NT006"
	ntNotCanonical    = "NT007"
	ntCertificate     = "NT008"
	ntPath            = "NT009"
	ntMixedTrust      = "NT010"
	ntSecret          = "NT011"
	ntInconsistentEnv = "NT012"
	ntWrongKind       = "NT014"
	ntKeyReuse        = "NT015"
)

// expectObject: a JSON object whose fields are all allowed and include every required one.
func expectObject(v any, field string, allowed, required []string) (map[string]any, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fail(ntMalformed, "%s: must be a JSON object", field)
	}
	for k := range obj {
		if !contains(allowed, k) {
			return nil, fail(ntInvalidField, "%s.%s: unknown field", field, k)
		}
	}
	for _, k := range required {
		if _, ok := obj[k]; !ok {
			return nil, fail(ntInvalidField, "%s.%s: is missing", field, k)
		}
	}
	return obj, nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// decodeBase64Strict: canonical standard base64 only (padding, no other alphabet, no whitespace, zero trailing
// bits); n >= 0 fixes the decoded length.
func decodeBase64Strict(text any, n int) ([]byte, bool) {
	s, ok := text.(string)
	if !ok || len(s)%4 != 0 {
		return nil, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || (n >= 0 && len(b) != n) || base64.StdEncoding.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// wholeNumber: a JSON number that is an integer in [lo, hi].
func wholeNumber(v any, lo, hi float64) (int64, bool) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || f < lo || f > hi {
		return 0, false
	}
	return int64(f), true
}

var isoUtcRe = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$`)

// parseIsoUtc: milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.f]Z` (a date that exists, years from 1970).
func parseIsoUtc(v any) (int64, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	m := isoUtcRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n := make([]int, 6)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	year, month, day, hour, minute, second := n[0], n[1], n[2], n[3], n[4], n[5]
	if year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 {
		return 0, false
	}
	millis := 0
	if m[7] != "" {
		frac := (m[7] + "00")[:3]
		millis, _ = strconv.Atoi(frac)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, millis*1e6, time.UTC)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day {
		return 0, false
	}
	return t.UnixMilli(), true
}

// canonicalJSON is Terraform's jsonencode: compact, keys sorted, <, >, & escaped (Go's encoder does all three).
func canonicalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func publicKeyDigest(publicKeyB64 string) string {
	sum := sha256.Sum256([]byte(publicKeyB64))
	return hex.EncodeToString(sum[:])
}

// computeKid is `<key>:v<version>:<first 16 hex of SHA-256 over the public_key text>`.
func computeKid(key string, version int64, publicKeyB64 string) string {
	return fmt.Sprintf("%s:v%d:%s", key, version, publicKeyDigest(publicKeyB64)[:16])
}

// BundleKeyPin is `sha256:` and the 64 hex digits of SHA-256 over the public_key text.
func BundleKeyPin(publicKeyB64 string) string { return "sha256:" + publicKeyDigest(publicKeyB64) }
