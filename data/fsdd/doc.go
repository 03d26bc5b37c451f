// Package fsdd reads the Free Spoken Digit Dataset (FSDD) and builds the
// spoken digit strings of subsetscan's speech experiments from it.
//
// # The data set
//
// FSDD is recorded English speech: in release v1.0.10, 3000 recordings of
// the digits 0 to 9, 50 takes of each digit by each of 6 speakers (george,
// jackson, lucas, nicolas, theo, yweweler), trimmed to near-minimal silence,
// mono, 16-bit PCM at 8000 Hz, 0.14 to 2.28 s long. It is published at
// https://github.com/Jakobovski/free-spoken-digit-dataset under the Creative
// Commons Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0):
// works that use it must credit it and share adaptations of the recordings
// under the same licence. Its README asks that it be cited by version, as
// it is versioned both by git tag and by Zenodo DOI: cite "Free Spoken
// Digit Dataset (FSDD), release v1.0.10" with the repository's address (or
// the Zenodo DOI of that release). The recordings are never part of this
// repository.
//
// # Layout
//
// An FSDD directory, DIR, holds DIR/recordings/{digit}_{speaker}_{index}.wav
// (7_jackson_32.wav: digit 7, speaker jackson, take 32); anything else in
// DIR is ignored. In DIR/recordings, every file ending in .wav, in any case,
// must be a recording in that pattern and format: Open and Load return an
// error naming the file otherwise (nothing is skipped), while files not
// ending in .wav, such as a README, are ignored. FSDD's own convention makes
// takes 0 to 4 its test split; this package does not use it, and splits
// with Split instead.
//
// Samples are float32 in [-1, 1): the 16-bit value divided by 32768. A
// recording of another rate, width or channel count is refused, never
// resampled or mixed down.
//
// # Getting the data
//
// Locate returns the directory to read: the one the user names (the CLI's
// -data DIR), or else the copy in the user's cache directory,
// CacheDir()/fsdd-v1.0.10, which Fetch downloads when it is missing: GitHub's
// .tar.gz archive of tag v1.0.10 (ArchiveURL), of which only
// recordings/*.wav is extracted, checked against the embedded manifest and
// renamed into place. Offline, clone the repository at tag v1.0.10 instead
// and pass its directory (CloneHint). Verify checks any copy against the
// manifest of v1.0.10 (manifest.txt: the SHA-256 and size of each
// recording, from the release's SHA256SUMS).
//
// # Pools and spoken digit strings
//
// Split deals the recordings into disjoint named pools (for issue 9:
// training, background, clean and attack sources): each speaker and
// digit's takes are shuffled by the seeded generator and dealt round by
// round, so each pool holds about the same share of every speaker and
// digit, and no recording is in two pools. Corpus.Strings then builds
// utterances from one pool: 2 to 5 recordings of one speaker with 50 to 150
// ms of silence between them, and the transcript as words ("three one
// four"). AddNoise makes the noisy condition of the same utterances: white
// Gaussian noise at an SNR drawn in a range of dB, against each utterance's
// own power. Every draw comes from a *rand.Rand the caller seeds
// (math/rand/v2, rand.NewPCG): the same seed gives the same pools and
// utterances bit for bit.
package fsdd
