"""Attention layers: Luong and Bahdanau attention, the seed-001 sequence pooling attention,
multi-head attention, transformer blocks and position embeddings."""

from .additive_attention import AdditiveAttention
from .attention import Attention
from .multi_head_attention import MultiHeadAttention
from .positional import PositionalEmbedding, SinePositionEncoding, TokenAndPositionEmbedding
from .sequence_attention import SequenceAttention
from .transformer import TransformerDecoder, TransformerEncoder
