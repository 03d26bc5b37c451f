package experiments_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"subsetscan/configs"
	"subsetscan/experiments"
	"subsetscan/internal/refdata"
	"subsetscan/report"
	"subsetscan/runner"
)

// audioVars returns the variables of the audio test configs: the shared
// FSDD copy (skipping the test without it, failing it when CI=true) and
// the built-in models; with needData false a missing FSDD is no reason to
// skip (decoding does not read it).
func audioVars(t *testing.T, needData bool) experiments.Vars {
	t.Helper()
	dir, _ := refdata.FSDDDir()
	if needData {
		dir = refdata.FSDD(t)
	}
	models, err := configs.ExtractModels(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return experiments.Vars{Data: dir, Models: models}
}

// TestAudioConfigErrors checks that bad values of the audio section are
// errors naming their key.
func TestAudioConfigErrors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "audio-tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checkErrors(t, string(raw), "audio.yaml", audioVars(t, false), []errorCase{
		{"unknown attack", "method: cw", "method: pgd", `audio.rows[0].attack.method: unknown attack "pgd"`},
		{"ia without stage 2", "method: cw", "method: ia", "audio.rows[0].attack.stage2_steps: must be ≥ 1 for attack ia"},
		{"stage 2 for cw", "shrink: 0.8}", "shrink: 0.8, stage2_steps: 5}", "audio.rows[0].attack.stage2_steps: stage2_steps and stage2_lr are for attack ia only"},
		{"attack key", "method: cw,", "method: cw, eps: 1,", "audio.rows[0].attack.eps: unknown key"},
		{"check above steps", "check: 10", "check: 50", "audio.rows[0].attack.check: must lie in [1, steps]"},
		{"start above 0 dB", "start_db: -10", "start_db: 3", "audio.rows[0].attack.start_db: must be below 0 dB"},
		{"background beyond the pool", "background: 30", "background: 5000", "audio.rows[0].counts.background: must lie in [2, 1920]"},
		{"attack beyond the pool", "attack: 6}", "attack: 721}", "audio.rows[0].counts.attack: must lie in [1, 720]"},
		{"no clean", "clean: 12", "clean: 0", "audio.rows[0].counts.clean: must lie in [2, 720]"},
		{"SNR order", "snr: [10, 30]", "snr: [30, 10]", "audio.rows[0].condition.snr: must be [low, high] dB"},
		{"SNR missing", "{name: noisy, snr: [10, 30]}", "{name: noisy}", "audio.rows[0].condition.snr: is required for condition noisy"},
		{"SNR for clean", "name: noisy", "name: clean", "audio.rows[0].condition.snr: is for condition noisy only"},
		{"condition", "name: noisy", "name: loud", `audio.rows[0].condition.name: must be clean or noisy, got "loud"`},
		{"layer", "layers: [dense_1, bilstm_1]", "layers: [dense_1, lstm_9]", `audio.rows[0].layers[1]: ds-fsdd has no scannable layer "lstm_9"`},
		{"front end", "layers: [dense_1, bilstm_1]", "layers: [mel]", `audio.rows[0].layers[0]: ds-fsdd has no scannable layer "mel"`},
		{"layer twice", "layers: [dense_1, bilstm_1]", "layers: [dense_1, dense_1]", "audio.rows[0].layers[1]: dense_1 is listed twice"},
		{"tail", "layers: [dense_1, bilstm_1]", "layers: [dense_1, bilstm_1]\n      tail: 3", "audio.rows[0].tail: must be 1 or 2, got 3"},
		{"td k", "layers: [dense_1, bilstm_1]", "layers: [dense_1, bilstm_1]\n      td_k: 1.5", "audio.rows[0].td_k: must lie in (0, 1)"},
		{"du rate", "layers: [dense_1, bilstm_1]", "layers: [dense_1, bilstm_1]\n      du_rate: 8000", "audio.rows[0].du_rate: must lie in [1000, 8000)"},
		{"arch", "arch: ds-fsdd", "arch: autoencoder", "audio.rows[0].model.arch: asr: mnist_autoencoder does not start with a log_mel layer"},
		{"weights", "ds-fsdd.npz", "missing.npz", "audio.rows[0].model.weights:"},
		{"published length", "ss: [0.283, 0.973]", "ss: [0.283]", "audio.rows[0].published: has 1 ss values and 2 dims for the 2 layers"},
		{"row name", "name: ds-noisy-cw", "name: a/b", "audio.rows[0].name: must be a non-empty file name"},
		{"no rows", "rows:", "rows: []\n  old:", "audio.old: unknown key"},
		{"scan mode", "mode: individual", "mode: group", "scan.mode"},
		{"control", "control_snr: [0, 20]", "control_snr: [0, 100]", "audio.rows[0].control_snr[1]: must lie in [-20, 80] dB"},
		{"control twice", "control_snr: [0, 20]", "control_snr: [0, 0]", "audio.rows[0].control_snr[1]: 0 dB is listed twice"},
		{"control empty", "control_snr: [0, 20]", "control_snr: []", "audio.rows[0].control_snr: is empty"},
		{"control scalar", "control_snr: [0, 20]", "control_snr: 0", "audio.rows[0].control_snr"},
		{"nodes", "control_snr: [0, 20]", "control_snr: [0, 20]\n      nodes: [flat, frames]", `audio.rows[0].nodes[1]: unknown node design "frames"`},
		{"nodes twice", "control_snr: [0, 20]", "control_snr: [0, 20]\n      nodes: [summary, summary]", "audio.rows[0].nodes[1]: summary is listed twice"},
		{"no nodes", "control_snr: [0, 20]", "control_snr: [0, 20]\n      nodes: []", "audio.rows[0].nodes: is empty"},
		{"summary tail", "control_snr: [0, 20]", "control_snr: [0, 20]\n      summary_tail: 0.5", "audio.rows[0].summary_tail"},
		{"summary tail value", "control_snr: [0, 20]", "control_snr: [0, 20]\n      summary_tail: 3", "audio.rows[0].summary_tail: must be 1 or 2, got 3"},
		{"summary tail without summary", "control_snr: [0, 20]", "control_snr: [0, 20]\n      nodes: [flat]\n      summary_tail: 1",
			"audio.rows[0].summary_tail: is the tail of the summary scans, and nodes [flat] has none"},
		{"tail without flat", "control_snr: [0, 20]", "control_snr: [0, 20]\n      nodes: [summary]\n      tail: 2",
			"audio.rows[0].tail: is the tail of the flat scans, and nodes [summary] has none"},
	})
}

// TestAudioKind runs the tiny audio config end to end through runner.Run
// twice: the second run reuses the attack set and gives the same results
// but for the timings.
func TestAudioKind(t *testing.T) {
	cfg, err := experiments.ReadConfig(filepath.Join("testdata", "audio-tiny.yaml"), audioVars(t, true))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var logs []string
	opt := runner.Options{OutDir: out, Revision: "test", Progress: func(f string, a ...any) { logs = append(logs, f) }}
	dir, res, err := runner.Run(t.Context(), cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Audio
	if a == nil || len(a.Rows) != 1 || a.Example == nil {
		t.Fatalf("audio results %+v", a)
	}
	row := a.Rows[0]
	// 6 sources and 12 clean utterances: every success has a clean
	// partner of as many digits, so the compared sets are equally many
	// and of the same mean digit count.
	if row.Background != 30 || row.Drawn != 12 || row.Clean != row.Adversarial || row.Unmatched != 0 || row.Sources != 6 ||
		row.Adversarial < 2 || len(row.DBx) != row.Adversarial {
		t.Errorf("counts: %d background, %d of %d clean, %d (%d unmatched) of %d adversarial, %d dB_x",
			row.Background, row.Clean, row.Drawn, row.Adversarial, row.Unmatched, row.Sources, len(row.DBx))
	}
	if l := row.Length; l.Digits[1] != l.Digits[2] || len(l.Spearman) != 2 || len(l.Spearman[1]) != 2 || !(l.Seconds[1] > 0) {
		t.Errorf("lengths %+v: want the clean and adversarial digit counts equal, 2 × 2 correlations", l)
	}
	// Both node designs by default, flat 1-tailed (scan.tail) with the
	// recurrent layer's other tail, summary 2-tailed with the other tail
	// in every layer.
	wantCols := []report.SSColumn{{Nodes: report.NodesFlat, Tail: 1}, {Nodes: report.NodesSummary, Tail: 2}}
	if !slices.Equal(row.Columns, wantCols) || len(row.Layers) != 2 || len(row.Layers[0].Scans) != 3 || len(row.Layers[1].Scans) != 4 ||
		row.Layers[1].Scan(report.SSColumn{Nodes: report.NodesFlat, Tail: 2}) == nil ||
		row.Layers[0].Scan(report.SSColumn{Nodes: report.NodesSummary, Tail: 1}) == nil {
		t.Fatalf("columns %v, layers %+v: want dense_1 flat with one tail, bilstm_1 with both, summary with both", row.Columns, row.Layers)
	}
	for _, l := range row.Layers {
		for _, s := range l.Scans {
			if !(s.AUC >= 0 && s.AUC <= 1) || len(s.Clean) != row.Clean || len(s.Adversarial) != row.Adversarial {
				t.Errorf("layer %s, %s %d-tailed: AUC %v, %d clean and %d adversarial scores", l.Layer, s.Nodes, s.Tail, s.AUC, len(s.Clean), len(s.Adversarial))
			}
		}
	}
	if _, problems := a.Check(); len(problems) > 0 {
		t.Errorf("check: %v", problems)
	}
	for _, db := range row.DBx {
		if !(db < -10) {
			t.Errorf("dB_x %v not below the start bound -10", db)
		}
	}
	if c := row.Controls; len(c) != 2 || c[1].SNR != 20 || len(c[1].Layers) != 2 || len(c[1].Layers[0].Scans) != 2 || c[1].Layers[0].Scans[0].Clean != nil {
		t.Errorf("controls %+v: want 0 and 20 dB, each 2 layers of the 2 columns' scans, without scores", c)
	}
	for i, v := range row.SNR {
		if !(v > 0 && v < 80) {
			t.Errorf("success %d: SNR %v dB", i, v)
		}
	}
	if row.DU.Balanced != row.Adversarial || !(row.TD.AUC["cer"] >= 0 && row.TD.AUC["cer"] <= 1) || row.Published == nil {
		t.Errorf("DU %+v, TD %v, published %v", row.DU, row.TD.AUC, row.Published)
	}
	first, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	logs = nil
	if _, _, err := runner.Run(t.Context(), cfg, opt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "reusing the attack set") {
		t.Errorf("the second run did not reuse the attack set: %v", logs)
	}
	second, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(untimed(first), untimed(second)) {
		t.Error("the second run's report differs from the first's beyond the timings")
	}
	if _, err := report.Load(dir); err != nil {
		t.Error(err)
	}
	audioDesignRuns(t, opt)
}

// audioDesignRuns runs the tiny audio config with one node design per
// row, on the attack set of TestAudioKind (opt's directory): summary
// nodes only without a control, and flat nodes 2-tailed with one
// control. Each gives its column's scans (the other tail too: summary in
// every layer, flat in the recurrent one), its controls, one length
// correlation per layer, no problem for verify, and a report.
func audioDesignRuns(t *testing.T, opt runner.Options) {
	path := filepath.Join("testdata", "audio-tiny.yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, edit string
		column     report.SSColumn
		scans      []int // per layer: dense_1, bilstm_1
		controls   int
	}{
		{"summary only, no control", "nodes: [summary]", report.SSColumn{Nodes: report.NodesSummary, Tail: 2}, []int{2, 2}, 0},
		{"flat 2-tailed", "control_snr: [20]\n      nodes: [flat]\n      tail: 2", report.SSColumn{Nodes: report.NodesFlat, Tail: 2}, []int{1, 2}, 1},
	} {
		cfg, err := experiments.ParseConfig([]byte(strings.Replace(string(raw), "control_snr: [0, 20]", tc.edit, 1)),
			path, audioVars(t, true))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		dir, res, err := runner.Run(t.Context(), cfg, opt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		row := res.Audio.Rows[0]
		if !slices.Equal(row.Columns, []report.SSColumn{tc.column}) || len(row.Controls) != tc.controls || len(row.Length.Spearman) != 1 {
			t.Errorf("%s: columns %v, %d controls, %d columns of correlations", tc.name, row.Columns, len(row.Controls), len(row.Length.Spearman))
		}
		for i, l := range row.Layers {
			if len(l.Scans) != tc.scans[i] || l.Scan(tc.column) == nil {
				t.Errorf("%s: layer %s has scans %+v, want %d with a %v", tc.name, l.Layer, l.Scans, tc.scans[i], tc.column)
			}
		}
		if _, problems := res.Audio.Check(); len(problems) > 0 {
			t.Errorf("%s: check: %v", tc.name, problems)
		}
		if _, err := report.Load(dir); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// untimed returns a report without its timings section.
func untimed(md []byte) []byte {
	if i := bytes.Index(md, []byte("\n## Timings")); i >= 0 {
		return md[:i]
	}
	return md
}

// TestShippedAudioConfig checks that the shipped audio-fsdd parses with
// the shipped models, its rows as the report expects them.
func TestShippedAudioConfig(t *testing.T) {
	raw, ok := configs.Read("audio-fsdd")
	if !ok {
		t.Fatal("audio-fsdd is not shipped")
	}
	vars := audioVars(t, false)
	vars.Data = t.TempDir() // not read when parsing
	cfg, err := experiments.ParseConfig(raw, "", vars)
	if err != nil {
		t.Fatal(err)
	}
	sets, layers := cfg.Settings.Names(cfg)
	if !slices.Equal(sets, []string{"ds-noisy-cw", "ds-clean-cw", "lv-clean-ia", "ds-clean-ia"}) || len(layers) != 8 {
		t.Errorf("rows %v, layers %v", sets, layers)
	}
}
