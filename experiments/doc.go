// Package experiments defines the experiment configuration schema (the YAML
// files of configs/) and the experiment kinds that turn a configuration into
// results.
//
// A config has the keys every kind shares (Config: name, description,
// kind, seed, dataset, model, classifier, layers, scan, published) and one
// section named after its kind, which only that kind reads:
//
//	kind: autoencoder-group
//	seed: 1
//	dataset: {name: mnist, split: test, background: [0, 7000], clean: [7000, 8500]}
//	model: {arch: autoencoder, weights: ${artifacts}/models/mnist_autoencoder.npz}
//	scan: {mode: group, score: bj, tail: 1, alpha_max: 0.5}
//	autoencoder-group:
//	  sets:
//	    - {name: deepfool-authors, file: ${artifacts}/adversarial/np_mnist_df_cnn_keras.npy}
//	  group: {size: 100, proportions: [0.01, 0.1], runs: 25}
//
// Decoding is strict throughout: an unknown key, a key given twice, a
// float in an integer field or a missing required key is an error naming
// the full key and its line (*KeyError), the first in the file's order.
//
// The files: schema.go (the shared keys), parse.go (ParseConfig: the one
// YAML document, the ${...} variables, the kind's section), decode.go (the
// strict decoder), validate.go (the checks of the shared keys and of the
// published values), sets.go (ImageSets, the anomalous sets read from
// files or made by attacks, shared by both autoencoder kinds), attacks.go
// (loading and generating those sets, cached under their key), pipeline.go
// (the steps kinds share), pvalues.go, recon.go, train.go, and one file
// per kind: adversarial.go (autoencoder-adversarial), group.go
// (autoencoder-group), activations.go (activations, read from .npy
// files: the kind for users with their own networks) and ood.go (ood:
// out-of-distribution detection with input perturbation, with its run in
// ood_run.go, the baselines' scores in ood_scores.go and ood_methods.go,
// the subgroup breakdown in ood_fairness.go and its classifier's
// architecture, classifier6, in ood_arch.go), audio.go (audio: the
// audio table of Akinwande et al. 2020 on spoken digit strings, with its
// utterances in audio_data.go, its cached attack sets in audio_sets.go,
// its run in audio_run.go, its scans in audio_scan.go and the TD and DU
// baselines in audio_baselines.go) and subsetgan.go (subsetgan: the
// SubsetGAN analog, generated images found by scans of GAN
// discriminators and fake classifiers, with its images in
// subsetgan_data.go, its run in subsetgan_run.go, its table's rows in
// subsetgan_rows.go and the node maps in subsetgan_nodes.go). shard.go
// has the cells of sharded runs (Sharded, Assign, AssembleCells) and
// shard_kinds.go those of the two autoencoder kinds.
//
// # Adding a kind
//
// A kind is a type implementing Kind, registered once with Register; the
// runner and the CLI need no change. The files touched:
//
//   - experiments/<kind>.go: the kind (Name, Decode, Run), its settings
//     struct (yaml tags; `cfg:"required"` for required keys, `cfg:"path"`
//     for file paths resolved like the config's others; a Names method for
//     the published values) and func init() { Register(kindType{}) }.
//     Decode calls sec.Decode(&settings) and checks the values, returning
//     *KeyError values that name the full key (sec.Key + ".…"). Run calls
//     the shared pipeline: LoadImages, Images.AddSet (or
//     ImageSets.load), ComputeActivations, NewResults, ScanIndividual (or
//     its own scans, with aucCI for the confidence intervals) and
//     FinishResults. Settings shared with another kind are one type (as
//     ImageSets and GroupSpec are), embedded with `yaml:",inline"`.
//   - configs/<name>.yaml: a config of the kind, with its section; it is
//     embedded in the binary and listed by "subsetscan list".
//   - configs/README.md: the section's keys.
//   - a test: the kind's Decode errors and a fast run through runner.Run
//     on a tiny config in testdata/ (kind_test.go does both for a toy kind,
//     toy-noise, with testdata/toy-noise.yaml).
//   - report/, only when the results gain a new field to show.
//   - optionally, to run in shards (subsetscan run -shard K/N), the
//     methods of Sharded: Cells, whose results Run restricts itself to
//     when Env.Cells is set, and Prepare (shard_kinds.go does both for
//     the autoencoder kinds).
package experiments
