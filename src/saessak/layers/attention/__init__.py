"""Attention layers: Luong and Bahdanau attention, the seed-001 sequence pooling attention,
multi-head and grouped-query attention, transformer blocks and position embeddings."""

from .additive_attention import AdditiveAttention
from .attention import Attention
from .group_query_attention import GroupedQueryAttention, GroupQueryAttention
from .multi_head_attention import MultiHeadAttention
from .positional import PositionalEmbedding, SinePositionEncoding, TokenAndPositionEmbedding
from .sequence_attention import SequenceAttention
from .transformer import TransformerDecoder, TransformerEncoder
