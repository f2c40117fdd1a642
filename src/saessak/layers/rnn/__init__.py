"""Recurrent layers: the RNN wrapper and its cells, SimpleRNN, LSTM, GRU, Bidirectional."""

from .base import RNN, StackedRNNCells
from .bidirectional import Bidirectional
from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell
from .simple_rnn import SimpleRNN, SimpleRNNCell
from .time_distributed import TimeDistributed
