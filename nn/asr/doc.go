// Package asr is the speech recognisers of subsetscan's audio study (issue
// 9): a DeepSpeech-like network (DSArch, "ds-fsdd") and a Lingvo-like one
// whose convolutions see the spectrogram as time × frequency (LVArch,
// "lv-fsdd"), trained here with CTC on spoken digit strings of the Free
// Spoken Digit Dataset (package fsdd), their utterance sets, their
// training loop and their word and character error rates. Both take the
// same input and front end and give logits on the same frames.
//
// # Pools
//
// Pools deals FSDD's 3000 recordings into the disjoint pools of the study
// with fsdd.Split and the fixed seed SplitSeed: "training" (the rest,
// 1980 recordings) for the recogniser, "test" (180) for its error rates,
// and "background" (480), "clean" (180) and "attack" (180) for the
// experiment, every size a multiple of the 60 speaker-digit cells, so each
// pool holds the same number of takes of every speaker and digit. The
// model was trained on the training pool only, so the experiment's
// utterances are as new to it as the held-out test strings: experiments
// must take their pools from Pools, not from another split.
//
// # Tokens
//
// Transcripts are word tokens: class d is the digit word d ("zero" … "nine")
// and class 10, the last, is the CTC blank (Classes = 11). Digit strings
// need nothing else, and words make the shortest labellings (2 to 5 labels
// rather than 7 to 29 characters), which a small model learns in the few
// CPU-minutes this machine affords. Character error rates are measured on
// the transcripts spelled out ("three one four").
//
// # Padding
//
// A model takes a fixed number of samples (DSSamples = 28800, 3.6 s, for
// ds-fsdd: about the 99th percentile of the length of 2-to-5-digit strings
// of the training pool, 3.61 s on 10,000 of them, median 1.72 s):
// utterances are padded at the end with silence (zeros), and longer ones
// are refused by Assemble and dropped by Fit (1.06 % of those 10,000; 417
// of the 40,000 strings of ds-fsdd's training). CTC scores each utterance on its own
// frames only, those starting before its last sample (Frames), so the
// padding gets no gradient; decoding likewise reads only those frames.
//
// # Determinism
//
// Every draw comes from a PCG generator seeded by the caller's seed and a
// stream fixed per use (the split, each epoch's strings, the
// initialisation), and Train reduces gradients in a fixed order, so the
// same seed gives the same weights bit for bit for any number of workers.
package asr
