// Package nn is just enough of a deep-learning library for the subset
// scanning experiments, with Keras semantics: Conv2D (any stride, "same" or
// "valid" padding), MaxPooling2D ("same" pads the bottom and right edges,
// as TensorFlow does, or "valid"), UpSampling2D (nearest), Flatten, Dense,
// Add and Concatenate layers; Conv2D and Dense layers end with a ReLU,
// sigmoid, softmax (Dense only) or linear activation.
// Also for GANs (package nn/gan): Reshape, LeakyReLU and a tanh activation.
//
// A Model is a network described by an Arch, data rather than code: the
// shape of one input sample, without the batch axis (an image [h, w, c], a
// sequence [T, features], a vector [n]: shapes are general), and named
// layers. Its forward pass returns the output of every named layer, the
// activations that subset scanning compares with a background. Weights load
// from and save to .npz files with the keys "<layer>/kernel" and
// "<layer>/bias" in Keras layouts (Conv2D kernels [kh, kw, in, out], Dense
// kernels [in, out]), so weights exported from Keras work unchanged. Inputs
// and activations are float32, a sample's values row-major over its shape
// (NHWC for images).
//
// Architectures and training recipes are registered by name
// (RegisterArch, ArchByName, ArchNames; RegisterRecipe, RecipeFor): the
// project's autoencoder and classifier are "autoencoder" and "classifier".
//
// # Graphs
//
// By default each layer's input is the previous layer's output (the
// model's input for the first layer): a chain. A LayerSpec's Inputs names
// other inputs, Keras' functional style: earlier layers, or "input" for the
// model's input. So the declaration order is a topological order, which New
// checks, and the last layer is the model's output. Add sums inputs of one
// shape (residual blocks y = f(x) + x); Concatenate joins inputs along
// their last axis (SqueezeNet's fire modules; a conditional generator's
// label map beside its input channels). A model has one input: a
// conditional generator's caller concatenates the label map's channels
// with the noise or image channels into that input (several inputs would
// need every method to take several arrays). Backward
// passes visit the layers in reverse order; where an output feeds several
// layers, their gradients are added in that order. Layers that do not lead
// to the output are computed forward and skipped backward.
//
// # Sequences and speech
//
// The speech recognisers of issue 9 are DeepSpeech-like: a waveform, a
// front end, frame-wise dense layers, recurrent layers, frame-wise
// logits, and a CTC loss. A sequence is [T, features], frame-major. The
// layers:
//
//   - LogMel: a waveform [n] (or [n, 1]) of fixed length to a log mel
//     spectrogram [frames, mels] (Hann-windowed frames, gonum's real FFT,
//     power, TensorFlow's HTK mel filter bank, ln(· + ε); MelSpec), with
//     no params but a gradient w.r.t. the waveform, so that attacks
//     optimise the samples;
//   - Dense applies to the last axis of any input, [T, n] → [T, units],
//     Keras' semantics (a flat input is the case T = 1, computed as
//     before); "relu20" is DeepSpeech's clipped ReLU min(max(x, 0), 20);
//   - LSTM: Keras' LSTM (gates i, f, c, o; params "kernel" [n, 4u],
//     "recurrent_kernel" [u, 4u], "bias" [4u]), [T, n] → [T, u] with
//     ReturnSequences, else [u]; BiLSTM: a forward and a backward LSTM,
//     concatenated on the last axis ([T, 2u]), params
//     "forward_lstm/kernel", …, "backward_lstm/bias";
//   - GRU and BiGRU: the same for Keras' GRU (TensorFlow 2's
//     reset_after variant: gates z, r, h; bias [2, 3u]).
//
// CTC is a loss the caller computes (Graves et al. 2006): CTCLoss gives
// the negative log-likelihood of a labelling over all alignments with its
// gradient w.r.t. the logits [T, classes] (a linear last layer: CTCLoss
// applies the softmax), CTCBatch the mean over a batch with the upstream
// gradient for Gradients, and GreedyDecode and BeamDecode (prefix beam
// search) the transcriptions. Utterances are padded to one length per
// model: with silence (which the front end sees as any other input), and
// CTCBatch's lengths, if given, score only each utterance's own frames,
// leaving the padding's frames without gradient; without lengths, CTC
// sees all T frames and learns to emit blanks over the padding.
//
// # Gradients and training
//
// Backward passes give the gradient w.r.t. the input of any vector-Jacobian
// product of the outputs or logits (InputGradient, Jacobian; for attacks)
// and w.r.t. the params. Train fits a model by mini-batch gradient descent
// with Keras semantics: Glorot-uniform initialisation from a seed
// (InitGlorot), Keras' binary and categorical cross-entropies (with their
// clipping to [1e-7, 1−1e-7]), and Keras 2.2.4's Adadelta and Adam.
// Batches run in parallel; their gradients are reduced in a fixed order, so
// the same seed gives the same weights bit for bit whatever the number of
// workers. A training loop whose loss the caller computes (two models
// trained against each other, as in a GAN, or a CTC loss) uses the same
// pieces: Gradients takes the gradient of the loss w.r.t. the outputs and
// returns the parameter gradients (reduced the same way) and, if asked,
// the input gradient (the generator's upstream gradient, through the
// discriminator); Step applies an Optimizer to the model's Params.
// LossGradients is Gradients for a loss computed sample by sample (a CTC
// loss): the loss runs between each sample's forward and backward passes,
// so a step needs one forward pass per sample rather than two.
//
// # Layers
//
// Each layer kind implements one unexported interface, layer (layer.go):
// its output shape, computed by its constructor from the input shapes; a
// forward pass (for inference, and for training, recording what the
// backward pass needs); a backward pass (input gradients, parameter
// gradients); its params with their Keras names and shapes and their
// initialisation; and the sizes of the buffers it needs. Layers with an
// activation also implement activated, which gives the logits. The model
// only iterates over layers; nothing outside the registry switches on a
// kind.
//
// # Adding a layer
//
// A new layer kind touches two files:
//
//   - its own file, say nn/mykind.go, with the kind's name as a constant,
//     a type implementing layer, a constructor checking the spec and the
//     input shapes (returning errors that say what does not fit; New adds
//     the architecture, layer, kind and shapes), and the one registration
//     line func init() { register(MyKind, newMyKind) }. New spec fields,
//     if the kind needs any, go in LayerSpec (arch.go), documented;
//   - nn/grad_test.go, an architecture using it in gradCases, so that its
//     input and parameter gradients are checked against finite
//     differences (TestGradCasesCoverKinds fails until there is one).
//
// nn/toy_test.go registers a toy kind this way and runs it end to end.
//
// # Speed
//
// Convolutions run as products of long vectors: in inference, axpys over a
// zero-padded input plane; in training, a transposed im2col. The axpy runs
// eight lanes at a time with AVX where the CPU has it (amd64 assembly) and
// as gonum's four-lane SSE kernel otherwise; both multiply then add, so
// results do not depend on which ran. Each sample is computed serially, on
// per-worker buffers (a tape) reused from sample to sample, and samples run
// in parallel.
package nn
