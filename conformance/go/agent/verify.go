package agent

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// Verdict is accepted (OK) or refused with a reason code.
type Verdict struct {
	OK     bool
	Reason string
	Detail string
}

var accepted = Verdict{OK: true}

func refuse(reason, detail string) Verdict { return Verdict{Reason: reason, Detail: detail} }

// opened is an envelope whose shape and payload type are checked, as the DSSE library's Envelope, with its payload
// decoded and the PAE computed by the library.
type opened struct {
	env     dsse.Envelope
	version int
	payload []byte
	signed  []byte
}

func openEnvelope(v any) (*opened, Verdict) {
	all := []string{"payloadType", "payload", "signatures"}
	obj, err := expectObject(v, "envelope", all, all)
	if err != nil {
		return nil, refuse("malformed-envelope", err.Error())
	}
	payloadType, ok1 := obj["payloadType"].(string)
	payload, ok2 := obj["payload"].(string)
	sigs, ok3 := obj["signatures"].([]any)
	if !ok1 || len(payloadType) > 256 || !ok2 || len(payload) > maxEnvelopeLength || !ok3 || len(sigs) == 0 || len(sigs) > 8 {
		return nil, refuse("malformed-envelope", "payloadType, payload and 1 to 8 signatures")
	}
	o := &opened{env: dsse.Envelope{PayloadType: payloadType, Payload: payload}}
	for _, s := range sigs {
		so, err := expectObject(s, "envelope.signatures", []string{"keyid", "sig"}, []string{"keyid", "sig"})
		if err != nil {
			return nil, refuse("malformed-envelope", err.Error())
		}
		keyid, ok1 := so["keyid"].(string)
		sig, ok2 := so["sig"].(string)
		if !ok1 || !ok2 || len(keyid) > 256 || len(sig) > 256 {
			return nil, refuse("malformed-envelope", "keyid and sig must be strings of at most 256 characters")
		}
		o.env.Signatures = append(o.env.Signatures, dsse.Signature{KeyID: keyid, Sig: sig})
	}
	switch payloadType {
	case PayloadTypeV1:
		o.version = 1
	case PayloadTypeV2:
		o.version = 2
	default:
		return nil, refuse("wrong-payload-type", "not a bundle payload type")
	}
	if o.payload, ok1 = decodeBase64Strict(payload, -1); !ok1 {
		return nil, refuse("malformed-envelope", "the payload is not canonical standard base64")
	}
	o.signed = dsse.PAE(payloadType, o.payload)
	return o, accepted
}

// checkEntry: grace entries strictly before until, then strict Ed25519.
func checkEntry(e *Entry, message, sig []byte, nowMs int64) Verdict {
	if e.State == "grace" && !(nowMs < e.untilMs) {
		return refuse("grace-expired", e.Kid+" was accepted until "+e.Until)
	}
	if v := strictVerify(e.raw, message, sig); v != "valid" {
		return refuse("bad-signature", e.Kid+": "+v)
	}
	return accepted
}

func checkDsseSignature(set *KeySet, message []byte, keyid, sig string, nowMs int64) Verdict {
	e := set.byKid[keyid]
	if e == nil {
		return refuse("unknown-key", "keyid "+keyid+" is no key version of "+set.Key)
	}
	raw, ok := decodeBase64Strict(sig, 64)
	if !ok {
		return refuse("malformed-signature", "not canonical standard base64 of 64 bytes")
	}
	return checkEntry(e, message, raw, nowMs)
}

var vaultSigRe = regexp.MustCompile(`^vault:v([1-9][0-9]{0,9}):([A-Za-z0-9+/]{86}==)$`)

func parseVaultSignature(text string) (int64, []byte, bool) {
	m := vaultSigRe.FindStringSubmatch(text)
	if len(text) > 110 || m == nil {
		return 0, nil, false
	}
	version, _ := strconv.ParseInt(m[1], 10, 64)
	raw, ok := decodeBase64Strict(m[2], 64)
	if version > maxKeyVersion || !ok {
		return 0, nil, false
	}
	return version, raw, true
}

func checkVaultSignature(set *KeySet, message []byte, signature string, nowMs int64) Verdict {
	version, raw, ok := parseVaultSignature(signature)
	if !ok {
		return refuse("malformed-signature", `expected "vault:v<version>:<standard base64 of 64 bytes>"`)
	}
	e := set.byVersion[version]
	if e == nil {
		return refuse("unknown-version", "key version "+strconv.FormatInt(version, 10)+" is not in the set")
	}
	return checkEntry(e, message, raw, nowMs)
}

// checkDsseSignatures: the first signature that verifies under `trusted`. Signatures by a kid of `recognised` are
// ignored (when they are all there is: recognisedReason); those `refused` names never count.
func checkDsseSignatures(o *opened, trusted, recognised *KeySet, recognisedReason string, refused func(string) string, nowMs int64) Verdict {
	var first *Verdict
	for _, s := range o.env.Signatures {
		if _, t := trusted.byKid[s.KeyID]; !t && recognised != nil && recognised.byKid[s.KeyID] != nil {
			continue
		}
		if refused != nil {
			if why := refused(s.KeyID); why != "" {
				if first == nil {
					v := refuse("revoked-key", why)
					first = &v
				}
				continue
			}
		}
		v := checkDsseSignature(trusted, o.signed, s.KeyID, s.Sig, nowMs)
		if v.OK {
			return v
		}
		if first == nil {
			first = &v
		}
	}
	if first == nil {
		return refuse(recognisedReason, "every signature is by a task verifier")
	}
	return *first
}

func parsePayload(o *opened) (any, Verdict) {
	var v any
	if !utf8.Valid(o.payload) || json.Unmarshal(o.payload, &v) != nil {
		return nil, refuse("invalid-payload", "the payload is not UTF-8 JSON")
	}
	return v, accepted
}

// analysePayload: a signed payload must be a valid bundle of the envelope's format (v2 here).
func analysePayload(o *opened) (*Bundle, Verdict) {
	v, verdict := parsePayload(o)
	if !verdict.OK {
		return nil, verdict
	}
	if obj, ok := v.(map[string]any); !ok || obj["schema"] != BundleSchemaV2 {
		return nil, refuse("invalid-bundle", "the payload's schema is not the envelope's format")
	}
	b, err := ValidateBundle(v)
	if err != nil {
		if err.(*TrustError).Code == ntSecret {
			return nil, refuse("secret-material", err.Error())
		}
		return nil, refuse("invalid-bundle", err.Error())
	}
	return b, accepted
}

func expired(b *Bundle, nowMs int64) bool { return nowMs >= b.ExpiresMs }

// VerifyBundle verifies a v2 envelope under a bundle key set the caller trusts (a JSON value).
func VerifyBundle(envelope, trusted any, nowMs int64) Verdict {
	o, v := openEnvelope(envelope)
	if !v.OK {
		return v
	}
	if o.version != 2 {
		return refuse("unsupported", "format v1 envelopes are not part of this check")
	}
	set, err := CompileKeySet(BundleKeysFormat, trusted, "trusted")
	if err != nil {
		if err.(*TrustError).Code == ntWrongKind {
			return refuse("wrong-key-kind", err.Error())
		}
		return refuse("invalid-verifier-set", err.Error())
	}
	if v := checkDsseSignatures(o, set, nil, "", nil, nowMs); !v.OK {
		return v
	}
	b, v := analysePayload(o)
	if !v.OK {
		return v
	}
	if expired(b, nowMs) {
		return refuse("expired", "the bundle has expired")
	}
	return accepted
}

var pinRe = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// AcceptFirstBundle accepts a node's first bundle under a bundle key pin received out of band.
func AcceptFirstBundle(envelope any, pin string, nowMs int64) (*Bundle, Verdict) {
	wanted := ""
	if strings.HasPrefix(pin, "sha256:") {
		wanted = "sha256:" + strings.ToLower(pin[7:])
	}
	if !pinRe.MatchString(wanted) {
		return nil, refuse("invalid-pin", `the pin must be "sha256:" and 64 hex digits`)
	}
	o, v := openEnvelope(envelope)
	if !v.OK {
		return nil, v
	}
	if o.version != 2 {
		return nil, refuse("wrong-payload-type", "a first bundle must be a v2 envelope")
	}
	value, v := parsePayload(o)
	if !v.OK {
		return nil, v
	}
	var setValue any
	if obj, ok := value.(map[string]any); ok {
		if bk, ok := obj["bundle_keys"].(map[string]any); ok {
			setValue = bk["set"]
		}
	}
	keys, err := CompileKeySet(BundleKeysFormat, setValue, "bundle.bundle_keys.set")
	if err != nil {
		return nil, refuse("invalid-bundle", err.Error())
	}
	var pinned *Entry
	for _, e := range keys.Entries {
		if BundleKeyPin(e.PublicKey) == wanted {
			pinned = e
			break
		}
	}
	if pinned == nil {
		return nil, refuse("pin-mismatch", "no bundle key of the payload has the pin")
	}
	only := *o
	only.env.Signatures = nil
	for _, s := range o.env.Signatures {
		if s.KeyID == pinned.Kid {
			only.env.Signatures = append(only.env.Signatures, s)
		}
	}
	if len(only.env.Signatures) == 0 {
		return nil, refuse("pin-mismatch", "the pinned bundle key did not sign the envelope")
	}
	if v := checkDsseSignatures(&only, keys, nil, "", nil, nowMs); !v.OK {
		return nil, v
	}
	b, v := analysePayload(o)
	if !v.OK {
		return nil, v
	}
	if expired(b, nowMs) {
		return nil, refuse("expired", "the bundle has expired")
	}
	return b, accepted
}

var kidTailRe = regexp.MustCompile(`^([1-9][0-9]{0,9}):[0-9a-f]{16}$`)

// AcceptBundleUpdate decides whether a node holding `held` (a bundle v2, JSON value) takes the bundle in `envelope`.
func AcceptBundleUpdate(held, envelope any, nowMs int64) (*Bundle, Verdict) {
	h, err := ValidateBundle(held)
	if err != nil {
		return nil, refuse("invalid-current", err.Error())
	}
	return acceptUpdate(h, envelope, nowMs)
}

func acceptUpdate(h *Bundle, envelope any, nowMs int64) (*Bundle, Verdict) {
	o, v := openEnvelope(envelope)
	if !v.OK {
		return nil, v
	}
	if o.version == 1 {
		return nil, refuse("downgrade", "this node holds a bundle v2; a v1 envelope cannot replace it")
	}
	revokedSigner := func(keyid string) string {
		prefix := h.BundleKeys.Key + ":v"
		if len(h.Revoked.BundleKeyVersions) == 0 || !strings.HasPrefix(keyid, prefix) {
			return ""
		}
		m := kidTailRe.FindStringSubmatch(keyid[len(prefix):])
		if m == nil {
			return ""
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if !contains(h.Revoked.BundleKeyVersions, n) {
			return ""
		}
		return "keyid " + keyid + " is a bundle key version the held bundle revokes"
	}
	if v := checkDsseSignatures(o, h.BundleKeys, h.Verifiers, "task-key-signature", revokedSigner, nowMs); !v.OK {
		return nil, v
	}
	n, v := analysePayload(o)
	if !v.OK {
		return nil, v
	}
	if expired(n, nowMs) {
		return nil, refuse("expired", "the update has expired")
	}
	if n.Environment != h.Environment {
		return nil, refuse("environment-mismatch", "the update is for "+n.Environment)
	}
	if n.Sequence <= h.Sequence {
		return nil, refuse("sequence-not-increasing", "the sequence is not above the held one")
	}
	if lifted(h, n) {
		return nil, refuse("revocation-lifted", "the update trusts again what the held bundle revokes")
	}
	for _, root := range h.Roots {
		open := root.State == "current" || !root.HasUntil || nowMs < root.UntilMs
		if root.State == "next" || !open || contains(n.Revoked.RootPins, root.Pin) {
			continue
		}
		kept := false
		for _, r := range n.Roots {
			if r.Pin == root.Pin {
				kept = r.State == "current" || !r.HasUntil || r.UntilMs > nowMs
				break
			}
		}
		if !kept {
			return nil, refuse("root-dropped", "the update drops root "+root.Pin+" before its overlap ends")
		}
	}
	return n, accepted
}

func lifted(h, n *Bundle) bool {
	if h.Verifiers.Key == n.Verifiers.Key {
		for _, v := range h.Revoked.TaskKeyVersions {
			if n.Verifiers.byVersion[v] != nil {
				return true
			}
		}
	}
	if h.BundleKeys.Key == n.BundleKeys.Key {
		for _, v := range h.Revoked.BundleKeyVersions {
			if n.BundleKeys.byVersion[v] != nil {
				return true
			}
		}
	}
	for _, pin := range h.Revoked.RootPins {
		for _, r := range n.Roots {
			if r.Pin == pin {
				return true
			}
		}
	}
	return false
}

// VerifyTask verifies a task (`vault:v<N>:<base64>`) under a task verifier set given as its text.
func VerifyTask(verifiers string, message []byte, signature string, nowMs int64) Verdict {
	set, err := ParseKeySetText(PubkeysFormat, verifiers)
	if err != nil {
		return refuse("invalid-verifier-set", err.Error())
	}
	return checkVaultSignature(set, message, signature, nowMs)
}

// VerifyTaskWithBundle verifies a task under the task verifiers of the bundle a node holds (a JSON value).
func VerifyTaskWithBundle(bundle any, message []byte, signature string, nowMs int64) Verdict {
	b, err := ValidateBundle(bundle)
	if err != nil {
		return refuse("invalid-bundle", err.Error())
	}
	return verifyTaskHeld(b, message, signature, nowMs)
}

func verifyTaskHeld(b *Bundle, message []byte, signature string, nowMs int64) Verdict {
	if expired(b, nowMs) {
		return refuse("bundle-expired", "the held bundle has expired: every task is refused")
	}
	v := checkVaultSignature(b.Verifiers, message, signature, nowMs)
	if v.OK {
		return v
	}
	version, raw, ok := parseVaultSignature(signature)
	if ok {
		if e := b.BundleKeys.byVersion[version]; e != nil && strictVerify(e.raw, message, raw) == "valid" {
			return refuse("bundle-key-signature", "the task is signed by bundle key "+e.Kid)
		}
		if v.Reason == "unknown-version" && contains(b.Revoked.TaskKeyVersions, version) {
			return refuse("revoked-key", "the task key version is revoked by the held bundle")
		}
	}
	return v
}
