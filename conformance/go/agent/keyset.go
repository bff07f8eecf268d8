package agent

import (
	"encoding/json"
	"regexp"
)

// Entry is one key version of a key set.
type Entry struct {
	Version   int64
	Kid       string
	PublicKey string
	State     string
	Until     string
	untilMs   int64
	raw       []byte
}

// KeySet is a validated task verifier set or bundle key set.
type KeySet struct {
	Format    string
	Key       string
	Entries   []*Entry
	byVersion map[int64]*Entry
	byKid     map[string]*Entry
}

var keyNameRe = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,126}[A-Za-z0-9])?$`)

var kinds = map[string]string{PubkeysFormat: "task verifier set", BundleKeysFormat: "bundle key set"}

// ParseKeySetText parses a key set from its text: JSON, the rules of CompileKeySet, and the canonical text.
func ParseKeySetText(format, text string) (*KeySet, error) {
	if len(text) > maxKeySetText {
		return nil, fail(ntMalformed, "value: longer than %d characters", maxKeySetText)
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, fail(ntMalformed, "value: not JSON (%v)", err)
	}
	set, err := CompileKeySet(format, v, "value")
	if err != nil {
		return nil, err
	}
	if set.Render() != text {
		return nil, fail(ntNotCanonical, "value: a valid %s but not its canonical compact text", kinds[format])
	}
	return set, nil
}

// Render is the canonical text of the set.
func (s *KeySet) Render() string {
	keys := make([]any, len(s.Entries))
	for i, e := range s.Entries {
		m := map[string]any{"alg": "ed25519", "kid": e.Kid, "public_key": e.PublicKey, "state": e.State, "version": e.Version}
		if e.State == "grace" {
			m["until"] = e.Until
		}
		keys[i] = m
	}
	return canonicalJSON(map[string]any{"format": s.Format, "key": s.Key, "keys": keys})
}

// CompileKeySet validates a key set given as a JSON value (format: which kind is expected).
func CompileKeySet(format string, v any, field string) (*KeySet, error) {
	all := []string{"format", "key", "keys"}
	obj, err := expectObject(v, field, all, all)
	if err != nil {
		return nil, err
	}
	if obj["format"] != format {
		if f, ok := obj["format"].(string); ok && kinds[f] != "" {
			return nil, fail(ntWrongKind, "%s.format: a %s where a %s is expected", field, kinds[f], kinds[format])
		}
		return nil, fail(ntInvalidField, "%s.format: must be %q", field, format)
	}
	key, ok := obj["key"].(string)
	if !ok || !keyNameRe.MatchString(key) {
		return nil, fail(ntInvalidField, "%s.key: not a transit key name", field)
	}
	list, ok := obj["keys"].([]any)
	if !ok || len(list) == 0 || len(list) > maxKeySetEntries {
		return nil, fail(ntInvalidField, "%s.keys: must hold 1 to %d entries", field, maxKeySetEntries)
	}
	set := &KeySet{Format: format, Key: key, byVersion: map[int64]*Entry{}, byKid: map[string]*Entry{}}
	for i, item := range list {
		e, err := compileEntry(item, key, field, i)
		if err != nil {
			return nil, err
		}
		set.Entries = append(set.Entries, e)
	}
	if err := checkOrder(set.Entries, field); err != nil {
		return nil, err
	}
	for _, e := range set.Entries {
		set.byVersion[e.Version] = e
		set.byKid[e.Kid] = e
	}
	return set, nil
}

func compileEntry(item any, key, field string, i int) (*Entry, error) {
	obj, err := expectObject(item, field, []string{"alg", "kid", "public_key", "state", "until", "version"},
		[]string{"version", "kid", "alg", "public_key", "state"})
	if err != nil {
		return nil, err
	}
	// The schedule rules first, in the node side's order: version, state, until.
	version, okVersion := wholeNumber(obj["version"], 1, maxKeyVersion)
	state, _ := obj["state"].(string)
	until, hasUntil := obj["until"]
	switch {
	case !okVersion:
		return nil, fail(ntVersions, "%s.keys[%d].version: not a key version", field, i)
	case state != "active" && state != "next" && state != "grace":
		return nil, fail(ntInvalidField, "%s.keys[%d].state: not active, next or grace", field, i)
	case state == "grace" && !hasUntil:
		return nil, fail(ntDate, "%s.keys[%d].until: a grace entry needs an end", field, i)
	case hasUntil && state != "grace":
		return nil, fail(ntInvalidField, "%s.keys[%d].until: only grace entries end", field, i)
	}
	untilMs, okUntil := parseIsoUtc(until)
	if hasUntil && !okUntil {
		return nil, fail(ntDate, "%s.keys[%d].until: not ISO 8601 UTC", field, i)
	}
	if obj["alg"] != "ed25519" {
		return nil, fail(ntInvalidField, "%s.keys[%d].alg: must be ed25519", field, i)
	}
	raw, ok := decodeBase64Strict(obj["public_key"], 32)
	if !ok {
		return nil, fail(ntPublicKey, "%s.keys[%d].public_key: not canonical base64 of 32 bytes", field, i)
	}
	pk := obj["public_key"].(string)
	if obj["kid"] != computeKid(key, version, pk) {
		return nil, fail(ntKid, "%s.keys[%d].kid: must be %s", field, i, computeKid(key, version, pk))
	}
	if r := publicKeyRefusal(raw); r != "" {
		return nil, fail(ntPublicKey, "%s.keys[%d].public_key: not a usable Ed25519 key (%s)", field, i, r)
	}
	e := &Entry{Version: version, Kid: obj["kid"].(string), PublicKey: pk, State: state, raw: raw}
	if state == "grace" {
		e.Until, e.untilMs = until.(string), untilMs
	}
	return e, nil
}

// checkOrder: one active entry, at most one next (newer than the active one), grace entries older than it,
// versions unique and ascending.
func checkOrder(entries []*Entry, field string) error {
	var active, next []*Entry
	for _, e := range entries {
		switch e.State {
		case "active":
			active = append(active, e)
		case "next":
			next = append(next, e)
		}
	}
	if len(active) != 1 {
		return fail(ntVersions, "%s.keys: %d entries are active", field, len(active))
	}
	if len(next) > 1 {
		return fail(ntVersions, "%s.keys: %d entries are next", field, len(next))
	}
	seen := map[int64]bool{}
	for i, e := range entries {
		if (e.State == "grace" && e.Version > active[0].Version) || (e.State == "next" && e.Version < active[0].Version) {
			return fail(ntVersions, "%s.keys[%d]: out of order with the active version", field, i)
		}
		if seen[e.Version] || (i > 0 && e.Version < entries[i-1].Version) {
			return fail(ntVersions, "%s.keys[%d]: versions must be unique and ascending", field, i)
		}
		seen[e.Version] = true
	}
	return nil
}
