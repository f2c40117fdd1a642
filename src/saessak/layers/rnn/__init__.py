"""Recurrent layers: the RNN wrapper and its cells, SimpleRNN, LSTM, GRU, Bidirectional."""

from .base import RNN, StackedRNNCells
from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell
from .simple_rnn import SimpleRNN, SimpleRNNCell
