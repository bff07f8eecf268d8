package agent

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// Bundle is a validated bundle v2 and what the verdict rules derive from it.
type Bundle struct {
	Value       map[string]any
	Environment string
	Sequence    int64
	Verifiers   *KeySet
	BundleKeys  *KeySet
	ExpiresMs   int64
	Roots       []Root
	Revoked     Revoked
}

// Root is a control-plane root with its SPKI pin.
type Root struct {
	Pin      string
	State    string
	UntilMs  int64
	HasUntil bool
}

// Revoked is the bundle's revocation lists.
type Revoked struct {
	TaskKeyVersions   []int64
	BundleKeyVersions []int64
	RootPins          []string
}

type certInfo struct {
	der      []byte
	pin      string
	ca       bool
	selfSign bool
}

var (
	environmentRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	singlePemRe   = regexp.MustCompile(`^\s*-----BEGIN CERTIFICATE-----\r?\n((?:[A-Za-z0-9+/=]{1,76}\r?\n)+)-----END CERTIFICATE-----\s*$`)
	authorityAtRe = regexp.MustCompile(`^[^/]*//[^/?#]*@`)
	spkiPinRe     = regexp.MustCompile(`^sha256:[0-9a-fA-F]{64}$`)
	topFieldsV2   = []string{"schema", "environment", "sequence", "control_plane", "public_https_trust", "node_cert_trust", "task_verifiers", "env", "bundle_keys", "freshness", "revoked"}
	envFields     = []string{"GPUAAS_CA_BUNDLE_PATH", "GPUAAS_NODE_CERT_CA_BUNDLE_PATH", "GPUAAS_TASK_SIGNING_PUBKEYS"}
)

// ValidateBundle checks a bundle v2 (a JSON value) with the node side's rules, in its order.
func ValidateBundle(v any) (*Bundle, error) {
	if what := findSecret(v, 0); what != "" {
		return nil, fail(ntSecret, "bundle: holds %s", what)
	}
	obj, ok := v.(map[string]any)
	if !ok || obj["schema"] != BundleSchemaV2 {
		// Format v1 (the move from it) is not part of this check: anything but v2 is refused.
		if _, err := expectObject(v, "bundle", topFieldsV2, nil); err != nil {
			return nil, err
		}
		return nil, fail(ntInvalidField, "bundle.schema: must be %q", BundleSchemaV2)
	}
	if _, err := expectObject(v, "bundle", topFieldsV2, topFieldsV2); err != nil {
		return nil, err
	}
	b := &Bundle{Value: obj}
	env, ok := obj["environment"].(string)
	if !ok || !environmentRe.MatchString(env) {
		return nil, fail(ntInvalidField, "bundle.environment: must match [a-z][a-z0-9-]{0,31}")
	}
	b.Environment = env
	seq, ok := wholeNumber(obj["sequence"], 1, 9007199254740991)
	if !ok {
		return nil, fail(ntInvalidField, "bundle.sequence: must be an integer >= 1")
	}
	b.Sequence = seq
	cp, err := expectObject(obj["control_plane"], "bundle.control_plane", []string{"url"}, []string{"url"})
	if err != nil {
		return nil, err
	}
	if err := checkHTTPSURL(cp["url"]); err != nil {
		return nil, err
	}
	pub, err := expectObject(obj["public_https_trust"], "bundle.public_https_trust", []string{"path", "roots"}, []string{"path", "roots"})
	if err != nil {
		return nil, err
	}
	publicPath, err := checkPath(pub["path"], "public_https_trust.path")
	if err != nil {
		return nil, err
	}
	rootInfos, err := b.checkRoots(pub["roots"])
	if err != nil {
		return nil, err
	}
	nodeTrust, err := expectObject(obj["node_cert_trust"], "bundle.node_cert_trust", []string{"path", "pems"}, []string{"path", "pems"})
	if err != nil {
		return nil, err
	}
	nodePath, err := checkPath(nodeTrust["path"], "node_cert_trust.path")
	if err != nil {
		return nil, err
	}
	if err := checkNodeCertPems(nodeTrust["pems"], rootInfos); err != nil {
		return nil, err
	}
	tv, err := expectObject(obj["task_verifiers"], "bundle.task_verifiers", []string{"path", "set"}, []string{"path", "set"})
	if err != nil {
		return nil, err
	}
	verifierPath, err := checkPath(tv["path"], "task_verifiers.path")
	if err != nil {
		return nil, err
	}
	if b.Verifiers, err = CompileKeySet(PubkeysFormat, tv["set"], "bundle.task_verifiers.set"); err != nil {
		return nil, err
	}
	if publicPath == nodePath || publicPath == verifierPath || nodePath == verifierPath {
		return nil, fail(ntPath, "bundle: the three files must have distinct paths")
	}
	envObj, err := expectObject(obj["env"], "bundle.env", envFields, envFields)
	if err != nil {
		return nil, err
	}
	for name, want := range map[string]string{
		"GPUAAS_CA_BUNDLE_PATH": publicPath, "GPUAAS_NODE_CERT_CA_BUNDLE_PATH": nodePath,
		"GPUAAS_TASK_SIGNING_PUBKEYS": b.Verifiers.Render(),
	} {
		if envObj[name] != want {
			return nil, fail(ntInconsistentEnv, "bundle.env.%s: disagrees with the field it mirrors", name)
		}
	}
	bk, err := expectObject(obj["bundle_keys"], "bundle.bundle_keys", []string{"set"}, []string{"set"})
	if err != nil {
		return nil, err
	}
	if b.BundleKeys, err = CompileKeySet(BundleKeysFormat, bk["set"], "bundle.bundle_keys.set"); err != nil {
		return nil, err
	}
	if b.BundleKeys.Key == b.Verifiers.Key {
		return nil, fail(ntKeyReuse, "bundle.bundle_keys.set.key: the task signing key")
	}
	for _, e := range b.BundleKeys.Entries {
		for _, t := range b.Verifiers.Entries {
			if e.PublicKey == t.PublicKey {
				return nil, fail(ntKeyReuse, "bundle.bundle_keys: %s is also task verifier %s", e.Kid, t.Kid)
			}
		}
	}
	fresh, err := expectObject(obj["freshness"], "bundle.freshness", []string{"expires", "refresh_hint_seconds"}, []string{"expires", "refresh_hint_seconds"})
	if err != nil {
		return nil, err
	}
	var okExpires bool
	if b.ExpiresMs, okExpires = parseIsoUtc(fresh["expires"]); !okExpires {
		return nil, fail(ntDate, "bundle.freshness.expires: not ISO 8601 UTC")
	}
	if _, ok := wholeNumber(fresh["refresh_hint_seconds"], 1, maxRefreshHint); !ok {
		return nil, fail(ntInvalidField, "bundle.freshness.refresh_hint_seconds: 1 to %d", maxRefreshHint)
	}
	return b, b.checkRevoked(obj["revoked"])
}

func (b *Bundle) checkRevoked(v any) error {
	r, err := expectObject(v, "bundle.revoked", []string{"bundle_key_versions", "root_pins", "task_key_versions"}, []string{"bundle_key_versions", "root_pins", "task_key_versions"})
	if err != nil {
		return err
	}
	versions := func(name string) ([]int64, error) {
		list, ok := r[name].([]any)
		if !ok {
			return nil, fail(ntVersions, "bundle.revoked.%s: must be a list of key versions", name)
		}
		var out []int64
		for i, item := range list {
			n, ok := wholeNumber(item, 1, maxKeyVersion)
			if !ok {
				return nil, fail(ntVersions, "bundle.revoked.%s[%d]: not a key version", name, i)
			}
			if i > 0 && n <= out[i-1] {
				return nil, fail(ntVersions, "bundle.revoked.%s[%d]: must be ascending and unique", name, i)
			}
			out = append(out, n)
		}
		return out, nil
	}
	if b.Revoked.TaskKeyVersions, err = versions("task_key_versions"); err != nil {
		return err
	}
	if b.Revoked.BundleKeyVersions, err = versions("bundle_key_versions"); err != nil {
		return err
	}
	pins, ok := r["root_pins"].([]any)
	if !ok {
		return fail(ntInvalidField, "bundle.revoked.root_pins: must be a list of pins")
	}
	for i, item := range pins {
		pin, ok := item.(string)
		if !ok || !spkiPinRe.MatchString(pin) || pin != strings.ToLower(pin) {
			return fail(ntInvalidField, "bundle.revoked.root_pins[%d]: not a lower-case SPKI pin", i)
		}
		if i > 0 && pin <= b.Revoked.RootPins[i-1] {
			return fail(ntInvalidField, "bundle.revoked.root_pins[%d]: must be sorted and unique", i)
		}
		b.Revoked.RootPins = append(b.Revoked.RootPins, pin)
	}
	for _, v := range b.Revoked.TaskKeyVersions {
		if _, listed := b.Verifiers.byVersion[v]; listed {
			return fail(ntInvalidField, "bundle.revoked: task key version %d is still trusted", v)
		}
	}
	for _, v := range b.Revoked.BundleKeyVersions {
		if _, listed := b.BundleKeys.byVersion[v]; listed {
			return fail(ntInvalidField, "bundle.revoked: bundle key version %d is still trusted", v)
		}
	}
	for _, pin := range b.Revoked.RootPins {
		for _, root := range b.Roots {
			if root.Pin == pin {
				return fail(ntInvalidField, "bundle.revoked: root %s is still trusted", pin)
			}
		}
	}
	return nil
}

func checkHTTPSURL(v any) error {
	text, ok := v.(string)
	if !ok || text == "" || len(text) > 2048 {
		return fail(ntInvalidField, "bundle.control_plane.url: must be a non-empty string")
	}
	u, err := url.Parse(text)
	if err != nil || strings.ToLower(u.Scheme) != "https" || u.Hostname() == "" || strings.IndexFunc(text, unicode.IsSpace) >= 0 {
		return fail(ntInvalidField, "bundle.control_plane.url: must be an https URL")
	}
	if u.User != nil || authorityAtRe.MatchString(text) {
		return fail(ntSecret, "bundle.control_plane.url: must not carry credentials")
	}
	return nil
}

func checkPath(v any, field string) (string, error) {
	p, ok := v.(string)
	if !ok || p == "" || len(p) > 1024 {
		return "", fail(ntInvalidField, "bundle.%s: must be a non-empty string", field)
	}
	bad := !strings.HasPrefix(p, "/") || (len(p) > 1 && strings.HasSuffix(p, "/")) ||
		strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == '\\' })
	for _, s := range strings.Split(strings.TrimSuffix(p, "/"), "/")[1:] {
		bad = bad || s == "" || s == "." || s == ".."
	}
	if bad {
		return "", fail(ntPath, "bundle.%s: must be an absolute, normalized file path", field)
	}
	return p, nil
}

func parseCertificatePem(v any, field string) (*certInfo, error) {
	pem, ok := v.(string)
	if !ok || len(pem) > 65536 {
		return nil, fail(ntCertificate, "%s: must be a PEM certificate", field)
	}
	m := singlePemRe.FindStringSubmatch(pem)
	if m == nil {
		return nil, fail(ntCertificate, "%s: must hold exactly one certificate block", field)
	}
	der, ok := decodeBase64Strict(strings.NewReplacer("\r", "", "\n", "").Replace(m[1]), -1)
	if !ok || len(der) == 0 {
		return nil, fail(ntCertificate, "%s: the PEM body is not canonical base64", field)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fail(ntCertificate, "%s: not an X.509 certificate (%v)", field, err)
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return &certInfo{
		der:      der,
		pin:      "sha256:" + hex.EncodeToString(sum[:]),
		ca:       cert.BasicConstraintsValid && cert.IsCA,
		selfSign: bytes.Equal(cert.RawIssuer, cert.RawSubject) && cert.CheckSignatureFrom(cert) == nil,
	}, nil
}

func (b *Bundle) checkRoots(v any) ([]*certInfo, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 || len(list) > 8 {
		return nil, fail(ntInvalidField, "bundle.public_https_trust.roots: 1 to 8 roots")
	}
	var infos []*certInfo
	counts := map[string]int{}
	for i, item := range list {
		r, err := expectObject(item, "bundle.public_https_trust.roots", []string{"pem", "state", "until"}, []string{"pem", "state"})
		if err != nil {
			return nil, err
		}
		info, err := parseCertificatePem(r["pem"], "bundle.public_https_trust.roots")
		if err != nil {
			return nil, err
		}
		if !info.ca || !info.selfSign {
			return nil, fail(ntCertificate, "bundle.public_https_trust.roots[%d]: must be a self-signed CA root", i)
		}
		state, _ := r["state"].(string)
		if state != "current" && state != "next" && state != "previous" {
			return nil, fail(ntInvalidField, "bundle.public_https_trust.roots[%d].state: unknown", i)
		}
		root := Root{Pin: info.pin, State: state}
		if until, has := r["until"]; has {
			if state == "current" {
				return nil, fail(ntInvalidField, "bundle.public_https_trust.roots[%d].until: a current root has no end", i)
			}
			if root.UntilMs, root.HasUntil = parseIsoUtc(until); !root.HasUntil {
				return nil, fail(ntDate, "bundle.public_https_trust.roots[%d].until: not ISO 8601 UTC", i)
			}
		} else if state == "previous" {
			return nil, fail(ntDate, "bundle.public_https_trust.roots[%d].until: a previous root needs an end", i)
		}
		counts[state]++
		infos = append(infos, info)
		b.Roots = append(b.Roots, root)
	}
	if counts["current"] != 1 || counts["next"] > 1 {
		return nil, fail(ntInvalidField, "bundle.public_https_trust.roots: one current root, at most one next")
	}
	if err := checkNoDuplicates(infos); err != nil {
		return nil, err
	}
	return infos, nil
}

func checkNoDuplicates(infos []*certInfo) error {
	for i := range infos {
		for j := 0; j < i; j++ {
			if bytes.Equal(infos[i].der, infos[j].der) {
				return fail(ntCertificate, "certificate %d duplicates %d", i, j)
			}
		}
	}
	return nil
}

func checkNodeCertPems(v any, roots []*certInfo) error {
	list, ok := v.([]any)
	if !ok || len(list) == 0 || len(list) > 16 {
		return fail(ntInvalidField, "bundle.node_cert_trust.pems: 1 to 16 certificates")
	}
	var infos []*certInfo
	for i, item := range list {
		info, err := parseCertificatePem(item, "bundle.node_cert_trust.pems")
		if err != nil {
			return err
		}
		if !info.ca {
			return fail(ntCertificate, "bundle.node_cert_trust.pems[%d]: not a CA certificate", i)
		}
		infos = append(infos, info)
	}
	if err := checkNoDuplicates(infos); err != nil {
		return err
	}
	for i, n := range infos {
		for _, r := range roots {
			if bytes.Equal(r.der, n.der) || r.pin == n.pin {
				return fail(ntMixedTrust, "bundle.node_cert_trust.pems[%d]: also a public HTTPS root", i)
			}
		}
	}
	return nil
}

// The secret material patterns (lib/kernel/secret-patterns.ts). The Vault token's look-around is done by hand:
// Go's regexp has none.
var (
	pemPrivateKeyRe   = regexp.MustCompile(`-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----`)
	vaultTokenAtRe    = regexp.MustCompile(`^(?:hv[sbr]\.[A-Za-z0-9_-]{20,}|[sbr]\.[A-Za-z0-9]{24,})`)
	vaultSettingRe    = regexp.MustCompile(`\bVAULT_[A-Z_]+\b`)
	uuidRe            = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	vaultAPIAddressRe = regexp.MustCompile(`https?://[^\s"'/]+(?::\d+)?/v1/`)
	credentialFieldRe = regexp.MustCompile(`(?i)^(?:vault_[a-z_]*|secret_id|secret_id_accessor|role_id|client_token|token|wrapping_token|private_key|password|secret)$`)
)

func vaultToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != 'h' && c != 's' && c != 'b' && c != 'r' {
			continue
		}
		if i > 0 {
			p := s[i-1]
			if p == '_' || p == '.' || p == '$' || p == '-' || ('A' <= p && p <= 'Z') || ('a' <= p && p <= 'z') || ('0' <= p && p <= '9') {
				continue
			}
		}
		if vaultTokenAtRe.MatchString(s[i:]) {
			return true
		}
	}
	return false
}

func secretInText(s string) string {
	switch {
	case pemPrivateKeyRe.MatchString(s):
		return "a PEM private key block"
	case vaultToken(s):
		return "a Vault token"
	case vaultSettingRe.MatchString(s):
		return "a Vault client setting"
	case uuidRe.MatchString(s):
		return "a UUID"
	case vaultAPIAddressRe.MatchString(s):
		return "a Vault API address"
	}
	return ""
}

func findSecret(v any, depth int) string {
	if depth > 64 {
		return ""
	}
	switch x := v.(type) {
	case string:
		return secretInText(x)
	case []any:
		for _, item := range x {
			if w := findSecret(item, depth+1); w != "" {
				return w
			}
		}
	case map[string]any:
		for k, item := range x {
			if credentialFieldRe.MatchString(k) || vaultSettingRe.MatchString(k) {
				return "a credential field"
			}
			if w := secretInText(k); w != "" {
				return w
			}
			if w := findSecret(item, depth+1); w != "" {
				return w
			}
		}
	}
	return ""
}
