"""Recurrent layers: the RNN wrapper and its cells, SimpleRNN, LSTM, GRU, Bidirectional."""

from .bidirectional import Bidirectional
from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell
from .rnn import RNN
from .simple_rnn import SimpleRNN, SimpleRNNCell
from .stacked_rnn_cells import StackedRNNCells
from .time_distributed import TimeDistributed
