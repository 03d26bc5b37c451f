package nn

// BiLSTM is the layer kind of a bidirectional LSTM (Keras'
// Bidirectional(LSTM(Units, return_sequences=ReturnSequences)) with its
// default merge_mode "concat"): a forward LSTM over the frames in order and
// a backward LSTM over them in reverse, each as the LSTM kind describes.
// Its input is a sequence [T, n]. With ReturnSequences its output is
// [T, 2·Units], frame t holding the forward LSTM's hidden state after
// frames 0…t, then the backward one's after frames T−1…t (Keras reverses
// the backward outputs back into the input's order); without, it is
// [2·Units], the forward state after the last frame then the backward
// state after the first. Its params are the forward LSTM's then the
// backward one's, named "forward_lstm/kernel", "forward_lstm/
// recurrent_kernel", "forward_lstm/bias", "backward_lstm/kernel", … (Keras
// names them <layer>/forward_lstm/lstm_cell/kernel and so on, in the same
// order and layouts), initialised as the LSTM kind's, forward first.
const BiLSTM = "bidirectional_lstm"

func init() { register(BiLSTM, recurrentKind("lstm", newLSTMCell, true)) }
