package agent

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

type vector struct {
	ID       string         `json:"id"`
	Kind     string         `json:"kind"`
	Input    map[string]any `json:"input"`
	Expected struct {
		OK     bool   `json:"ok"`
		Reason string `json:"reason"`
	} `json:"expected"`
}

func millis(t *testing.T, v any) int64 {
	at, err := time.Parse(time.RFC3339Nano, v.(string))
	if err != nil {
		t.Fatalf("now %v: %v", v, err)
	}
	return at.UnixMilli()
}

func message(t *testing.T, in map[string]any) []byte {
	b, err := base64.StdEncoding.DecodeString(in["message_base64"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parsed(err error) Verdict {
	if err != nil {
		return refuse(err.(*TrustError).Code, err.Error())
	}
	return accepted
}

func run(t *testing.T, v vector) Verdict {
	in := v.Input
	switch v.Kind {
	case "verifier-set":
		_, err := ParseKeySetText(PubkeysFormat, in["text"].(string))
		return parsed(err)
	case "bundle-key-set":
		_, err := ParseKeySetText(BundleKeysFormat, in["text"].(string))
		return parsed(err)
	case "bundle":
		_, err := ValidateBundle(in["bundle"])
		return parsed(err)
	case "verify-bundle":
		return VerifyBundle(in["envelope"], in["trusted"], millis(t, in["now"]))
	case "first-bundle":
		_, verdict := AcceptFirstBundle(in["envelope"], in["pin"].(string), millis(t, in["now"]))
		return verdict
	case "bundle-update":
		_, verdict := AcceptBundleUpdate(in["held"], in["envelope"], millis(t, in["now"]))
		return verdict
	case "update-sequence":
		steps := in["steps"].([]any)
		first := steps[0].(map[string]any)
		held, verdict := AcceptFirstBundle(first["envelope"], in["pin"].(string), millis(t, first["now"]))
		for _, s := range steps[1:] {
			if !verdict.OK {
				return verdict
			}
			step := s.(map[string]any)
			var next *Bundle
			if next, verdict = acceptUpdate(held, step["envelope"], millis(t, step["now"])); verdict.OK {
				held = next
			}
		}
		if task, ok := in["task"].(map[string]any); ok && verdict.OK {
			return verifyTaskHeld(held, message(t, task), task["signature"].(string), millis(t, task["now"]))
		}
		return verdict
	case "task":
		return VerifyTask(in["verifiers"].(string), message(t, in), in["signature"].(string), millis(t, in["now"]))
	case "task-with-bundle":
		return VerifyTaskWithBundle(in["bundle"], message(t, in), in["signature"].(string), millis(t, in["now"]))
	}
	t.Fatalf("%s: unknown kind %q", v.ID, v.Kind)
	return Verdict{}
}

// TestVectors runs every vector of conformance/vectors and expects its verdict and reason.
func TestVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "vectors", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vector files found (%v)", err)
	}
	sort.Strings(files)
	counts := map[string]int{}
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var content struct {
			Format  string   `json:"format"`
			Vectors []vector `json:"vectors"`
		}
		if err := json.Unmarshal(text, &content); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if content.Format != "cdktf-platform-trust/conformance-vectors/v1" {
			t.Fatalf("%s: format %q", file, content.Format)
		}
		for _, v := range content.Vectors {
			got := run(t, v)
			if got.OK != v.Expected.OK || (!got.OK && got.Reason != v.Expected.Reason) {
				t.Errorf("%s: expected ok=%v reason=%q, got ok=%v reason=%q (%s)", v.ID, v.Expected.OK, v.Expected.Reason, got.OK, got.Reason, got.Detail)
			}
			counts[v.Kind]++
		}
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	t.Logf("%d vectors: %v", total, counts)
}

// TestRefusesTampering shows the check can fail: a vector's signature changed by one bit is refused.
func TestRefusesTampering(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "..", "vectors", "tasks.json"))
	if err != nil {
		t.Fatal(err)
	}
	var content struct{ Vectors []vector }
	if err := json.Unmarshal(text, &content); err != nil {
		t.Fatal(err)
	}
	for _, v := range content.Vectors {
		if v.ID != "task/valid-active" {
			continue
		}
		if got := run(t, v); !got.OK {
			t.Fatalf("the valid vector is refused: %s", got.Reason)
		}
		v.Input["message_base64"] = base64.StdEncoding.EncodeToString([]byte("other"))
		if got := run(t, v); got.Reason != "bad-signature" {
			t.Fatalf("a changed message: got %+v", got)
		}
		return
	}
	t.Fatal("task/valid-active not found")
}
