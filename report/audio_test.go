package report_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/report"
)

func ptr(v float64) *float64 { return &v }

// audioSample is a synthetic audio study: two rows, the first with a
// recurrent layer scanned with both tails and a published row with TD and
// DU, the second against a published row of another model without them.
func audioSample() *report.Results {
	tone := make([]float32, 800)
	adv := make([]float32, 800)
	for i := range tone {
		tone[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/8000))
		adv[i] = tone[i] + float32(0.01*math.Sin(2*math.Pi*2500*float64(i)/8000))
	}
	td := func(c, a []float64, auc float64) report.AudioTD {
		return report.AudioTD{K: 0.5, Used: "cer", Metrics: []string{"wer", "cer", "lcp"},
			AUC:   map[string]float64{"wer": auc - 0.1, "cer": auc, "lcp": auc - 0.05},
			CI:    map[string][2]float64{"wer": {0.2, 0.8}, "cer": {0.3, 0.9}, "lcp": {0.25, 0.85}},
			Clean: map[string][]float64{"cer": c}, Adv: map[string][]float64{"cer": a}}
	}
	scan := func(tail int, auc float64) report.SSTail {
		return report.SSTail{Tail: tail, AUC: auc, CI: [2]float64{auc - 0.1, min(1, auc+0.1)}, Clean: []float64{1, 2, 3}, Adversarial: []float64{2.5, 4}}
	}
	return &report.Results{
		Experiment: "audio-toy", Description: "A synthetic audio study for the report golden files.",
		Config: []byte(`{"name":"audio-toy"}`), Provenance: report.Provenance{Seed: 3, ConfigHash: "feed", GoVersion: "go1.x", Revision: "r2"},
		Samples: map[string]int{"a background": 6}, CIMethod: "DeLong (1988), 95 %", Timings: map[string]float64{"total": 3},
		Audio: &report.Audio{
			Rows: []report.AudioRow{
				{Name: "ds-noisy-cw", Model: "ds-fsdd", Weights: "0123456789abcdef", Condition: "noisy, SNR 10–30 dB", Attack: "CW, 150 steps from -10 dB_x",
					Background: 6, Clean: 3, Drawn: 4, Sources: 3, Adversarial: 2, DBx: []float64{-30, -20}, WER: 0.05, CER: 0.04, Tail: 1,
					Length: report.AudioLength{Digits: [3]float64{3.5, 3, 3}, Seconds: [3]float64{1.6, 1.4, 1.45}, Spearman: []float64{0.1, -0.25}},
					Layers: []report.AudioLayer{
						{Layer: "dense_1", Dims: []int{179, 128}, Scans: []report.SSTail{scan(1, 0.4)}},
						{Layer: "bilstm_1", Dims: []int{179, 128}, Scans: []report.SSTail{scan(1, 0.9), scan(2, 0.8)}},
					},
					TD:      td([]float64{0, 0, 0.5}, []float64{0, 1}, 0.6),
					DU:      report.AudioDU{Rate: 4000, Balanced: 2, Accuracy: 75, AUC: 0.7, CI: [2]float64{0.4, 1}, Clean: []float64{0, 0, 0.2}, Adv: []float64{0.5, 0}},
					Control: &report.AudioControl{SNR: 0, Layers: []string{"dense_1", "bilstm_1"}, AUC: []float64{0.95, 0.6}, CI: [][2]float64{{0.9, 1}, {0.4, 0.8}}},
					Published: &report.AudioPublished{Row: "DeepSpeech, CommonVoice, CW", Counts: [3]int{800, 200, 90}, Dims: []string{"80, 2048", "80, 4096"},
						TD: ptr(0.936), DU: ptr(91.5), SS: []float64{0.283, 0.973}}},
				{Name: "ds-clean-ia", Model: "ds-fsdd", Weights: "0123456789abcdef", Condition: "clean", Attack: "IA, stage 1 150 steps from -10 dB_x, stage 2 100 steps",
					Background: 6, Clean: 3, Drawn: 3, Sources: 4, Adversarial: 2, Unmatched: 1, DBx: []float64{-25, -35}, WER: 0, CER: 0, Tail: 1,
					Length: report.AudioLength{Digits: [3]float64{3.5, 2.5, 2.5}, Seconds: [3]float64{1.6, 1.2, 1.25}, Spearman: []float64{0.9, 0.7}},
					Layers: []report.AudioLayer{
						{Layer: "dense_1", Dims: []int{179, 128}, Scans: []report.SSTail{scan(1, 0.3)}},
						{Layer: "dense_2", Dims: []int{179, 128}, Scans: []report.SSTail{scan(1, 0.55)}},
					},
					TD: td([]float64{0, 0, 0}, []float64{0, 0}, 0.5),
					DU: report.AudioDU{Rate: 4000, Balanced: 2, Accuracy: 50, AUC: 0.5, CI: [2]float64{0.2, 0.8}, Clean: []float64{0, 0, 0}, Adv: []float64{0, 0}},
					Published: &report.AudioPublished{Row: "Lingvo, LibriSpeech, IA", Counts: [3]int{300, 100, 100}, Dims: []string{"179, 40, 32", "212, 20, 32"},
						SS: []float64{0.755, 0.491}}},
			},
			Example: &report.AudioExample{Row: "ds-noisy-cw", Rate: 8000, Transcript: "one two", Target: "three four", DBx: -34, Clean: tone, Adversarial: adv},
		},
	}
}

// TestAudioGolden renders the audio sample and compares its report.md
// with testdata/audio.md.golden; it checks the figures, the key lines and
// that the report is re-rendered from results.json alike.
func TestAudioGolden(t *testing.T) {
	dir := t.TempDir()
	r := audioSample()
	if err := report.Save(dir, r); err != nil {
		t.Fatal(err)
	}
	loaded, err := report.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Render(dir, loaded); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, got, "audio.md.golden")
	for _, w := range []string{
		"## An analog, not a reproduction",
		"| dense_1  | 179, 128 | 0.600    | 75.0       | 0.400 [0.300, 0.500] | DeepSpeech, CommonVoice, CW (800, 200, 90) | 80, 2048    | 0.936 | 91.5 | 0.283 |",
		"| ds-noisy-cw | bilstm_1 | 0.900 [0.800, 1.000] | 0.800 [0.700, 0.900] | 1-tailed     |",
		"| ds-noisy-cw | CW, 150 steps from -10 dB_x                            | 2 of 3     | -25.0       | [-30.0, -20.0] |",
		"row ds-clean-ia runs ds-fsdd where the paper's row (Lingvo, LibriSpeech, IA) has another model",
		"In ds-noisy-cw the best layer, bilstm_1 (the second, AUC 0.900 [0.800, 1.000]), beats TD (0.600)",
		"of its 2 layers, 1 detect the adversarial utterances (interval above 0.5) and 0 rank them below the clean ones (interval below 0.5)",
		"Some layer beats TD in 2 of 2 rows here, and in 1 of the 1 published rows that print TD.",
		"![audio_example](audio_example.png)",
		"| ds-noisy-cw | 0              | dense_1  | 0.950 [0.900, 1.000]           |",
		"The control (the clean utterances with noise at 0 dB SNR) gets SS AUC 0.600 to 0.950.",
	} {
		if !strings.Contains(string(got), w) {
			t.Errorf("report lacks %q", w)
		}
	}
	for _, f := range []string{"audio_layers.png", "audio_roc_ds-noisy-cw.png", "audio_roc_ds-clean-ia.png", "audio_example.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("figure %s: %v", f, err)
		}
	}
}

// TestAudioParagraphNoTD checks the paragraph when no row beats TD and no
// published row prints TD.
func TestAudioParagraphNoTD(t *testing.T) {
	a := audioSample().Audio
	a.Rows = a.Rows[1:]
	a.Rows[0].TD.AUC["cer"] = 0.99
	p := a.AudioParagraph()
	for _, w := range []string{"does not beat TD (0.990)", "TD not printed", "Some layer beats TD in 0 of 1 rows here, and in 0 of the 0 published rows"} {
		if !strings.Contains(p, w) {
			t.Errorf("paragraph lacks %q:\n%s", w, p)
		}
	}
}

// TestAudioCheck checks what verify checks of audio results: none of the
// sample's cells is missing, and a missing scan, an AUC that is NaN, a
// score short and a published row of another length are each found.
func TestAudioCheck(t *testing.T) {
	if cells, problems := audioSample().Audio.Check(); cells != 8 || len(problems) != 0 {
		t.Fatalf("sample: %d cells, problems %v; want 8 and none", cells, problems)
	}
	for _, tc := range []struct {
		name  string
		spoil func(a *report.Audio)
		want  string
	}{
		{"no scan", func(a *report.Audio) { a.Rows[0].Layers[1].Scans = nil }, "ds-noisy-cw: layer bilstm_1 has no scan"},
		{"NaN", func(a *report.Audio) { a.Rows[1].Layers[0].Scans[0].AUC = math.NaN() }, "ds-clean-ia: layer dense_1, 1-tailed: AUC NaN"},
		{"scores", func(a *report.Audio) { a.Rows[0].Layers[0].Scans[0].Clean = nil }, "0 clean and 2 adversarial scores"},
		{"TD", func(a *report.Audio) { a.Rows[0].TD.AUC["cer"] = 1.5 }, "ds-noisy-cw: TD AUC (cer) 1.5"},
		{"published", func(a *report.Audio) { a.Rows[1].Published.SS = a.Rows[1].Published.SS[:1] }, "2 layers beside a published row of 1"},
		{"dB_x", func(a *report.Audio) { a.Rows[0].DBx = nil }, "2 (and 0 unmatched) of 3 sources adversarial, 0 dB_x"},
		{"unmatched", func(a *report.Audio) { a.Rows[1].Unmatched = 3 }, "2 (and 3 unmatched) of 4 sources"},
		{"drawn", func(a *report.Audio) { a.Rows[0].Drawn = 2 }, "3 of 2 clean"},
		{"Spearman", func(a *report.Audio) { a.Rows[0].Length.Spearman = nil }, "0 Spearman correlations with the length for 2 layers"},
	} {
		a := audioSample().Audio
		tc.spoil(a)
		_, problems := a.Check()
		if len(problems) != 1 || !strings.Contains(problems[0], tc.want) {
			t.Errorf("%s: problems %q, want one with %q", tc.name, problems, tc.want)
		}
	}
}

// TestAudioUnpublishedRow checks a row beside no published one: the
// table's published columns say so, the analog names the row, and a row
// of the paper's own model family is no substitution.
func TestAudioUnpublishedRow(t *testing.T) {
	r := audioSample()
	r.Audio.Rows[1].Model = "lv-fsdd"
	extra := r.Audio.Rows[1]
	extra.Name, extra.Model, extra.Published = "ds-clean-ia", "ds-fsdd", nil
	r.Audio.Rows = append(r.Audio.Rows, extra)
	var b bytes.Buffer
	if err := report.WriteMarkdownTable(&b, r.Audio.AudioTable()); err != nil {
		t.Fatal(err)
	}
	table := b.String()
	if n := strings.Count(table, "none: no published row"); n != 1 {
		t.Errorf("%d rows say they have no published row, want 1:\n%s", n, table)
	}
	dir := t.TempDir()
	if err := report.Save(dir, r); err != nil {
		t.Fatal(err)
	}
	if err := report.Render(dir, r); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Without a published counterpart (the table's published columns say so): ds-clean-ia.") {
		t.Error("the analog does not name the row without a published counterpart")
	}
	if strings.Contains(string(md), "Substitutions:") {
		t.Error("the analog lists substitutions though every published row has its model family")
	}
	if _, problems := r.Audio.Check(); len(problems) != 0 {
		t.Errorf("problems %v", problems)
	}
}
