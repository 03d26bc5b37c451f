// Package experiments defines the experiment configuration schema (the YAML
// files of configs/) and the experiment kinds that turn a configuration into
// results. Kinds register themselves by name, so that new ones (SubsetGAN,
// unknown classes, audio through an RNN) plug in without touching the
// runner.
package experiments
