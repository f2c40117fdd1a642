"""Keras layers. Each public class lives in a module of its own concept."""

from .activation import ELU, Activation, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .activity_regularization import ActivityRegularization
from .adaptive_pooling import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
from .attention import (
    AdditiveAttention,
    Attention,
    GroupedQueryAttention,
    GroupQueryAttention,
    MultiHeadAttention,
    PositionalEmbedding,
    SequenceAttention,
    SinePositionEncoding,
    TokenAndPositionEmbedding,
    TransformerDecoder,
    TransformerEncoder,
)
from .batch_normalization import BatchNormalization
from .conv3d_transpose import Conv3DTranspose, Convolution3DTranspose
from .convolutional import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Convolution1D,
    Convolution2D,
    Convolution2DTranspose,
    Convolution3D,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)
from .dense import Dense
from .dropout import Dropout
from .einsum_dense import EinsumDense
from .embedding import Embedding
from .identity import Identity
from .input_layer import Input, InputLayer, KerasTensor, is_symbolic
from .input_spec import InputSpec
from .lambda_layer import Lambda
from .layer import Layer, clear_session, in_training, learning_phase
from .layer_normalization import (
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from .masking import Masking
from .merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .noise import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from .preprocessing import (
    AutoContrast,
    CategoryEncoding,
    CenterCrop,
    CutMix,
    Discretization,
    Equalization,
    HashedCrossing,
    Hashing,
    IntegerLookup,
    MelSpectrogram,
    MixUp,
    Normalization,
    Pipeline,
    RandomBrightness,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomContrast,
    RandomCrop,
    RandomErasing,
    RandomFlip,
    RandomGaussianBlur,
    RandomGrayscale,
    RandomHeight,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomRotation,
    RandomSaturation,
    RandomSharpness,
    RandomShear,
    RandomTranslation,
    RandomWidth,
    RandomZoom,
    Rescaling,
    Resizing,
    Solarization,
    STFTSpectrogram,
    StringLookup,
    TextVectorization,
)
from .reshaping import Flatten, Permute, RepeatVector, Reshape
from .reshaping_image import (
    Cropping1D,
    Cropping2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from .reshaping_volume import Cropping3D, UpSampling3D, ZeroPadding3D
from .reversible_embedding import ReversibleEmbedding
from .rnn import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    ConvLSTM1D,
    ConvLSTM2D,
    ConvLSTM2DCell,
    ConvLSTM3D,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
    TimeDistributed,
)
from .serialization import LAYERS, deserialize, serialize
from .spectral_normalization import SpectralNormalization

# isort: split
# tf.keras 2.x's layers.experimental.preprocessing names (aliases of the layers above);
# imported last, once the layers it names exist
from . import experimental

# The aliases (Convolution2D, MaxPool2D, GlobalAvgPool1D, ...) name their classes in configs
# too, as in Keras; a class still serializes under its own name.
for _alias, _obj in list(globals().items()):
    if isinstance(_obj, type) and issubclass(_obj, Layer) and _alias != _obj.__name__ \
            and not _alias.startswith("_"):
        LAYERS.register(_obj, _alias)
