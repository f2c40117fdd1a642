"""keras.io "Proximal Policy Optimization" (CartPole): actor and critic from one mlp helper
(tf.tanh activations, tf.squeeze on a functional output), tf.function steps,
tf.random.categorical sampling, tf.nn.log_softmax / tf.one_hot log-probabilities, and the
clipped objective under GradientTape. A small stand-in environment replaces gym."""

import numpy as np

import saessak as keras
import saessak.compat as tf
from saessak import layers

steps_per_epoch = 48
epochs = 2
gamma = 0.99
clip_ratio = 0.2
policy_learning_rate = 3e-4
value_function_learning_rate = 1e-3
train_policy_iterations = 4
train_value_iterations = 4
lam = 0.97
target_kl = 0.01
hidden_sizes = (16, 16)
observation_dimensions, num_actions = 4, 2


class CartPoleStandIn:
    """gym's old API: reset() -> observation, step(a) -> (observation, reward, done, info)."""

    def __init__(self, seed=0):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.t, self.state = 0, self.rng.uniform(-0.05, 0.05, 4)
        return self.state

    def step(self, action):
        self.t += 1
        push = 0.05 if action == 1 else -0.05
        self.state = self.state + push + self.rng.normal(0, 0.02, 4)
        return self.state, 1.0, bool(abs(self.state[2]) > 0.2 or self.t >= 15), {}


def discounted_cumulative_sums(x, discount):
    # keras.io filters with scipy.signal.lfilter([1], [1, -discount], x[::-1])[::-1]; the
    # same recurrence, y[t] = x[t] + discount * y[t+1], in NumPy (SciPy is an optional extra)
    out, running = np.zeros(len(x)), 0.0
    for t in range(len(x) - 1, -1, -1):
        running = x[t] + discount * running
        out[t] = running
    return out


class Buffer:
    def __init__(self, observation_dimensions, size, gamma=0.99, lam=0.95):
        self.observation_buffer = np.zeros((size, observation_dimensions), dtype=np.float32)
        self.action_buffer = np.zeros(size, dtype=np.int32)
        self.advantage_buffer = np.zeros(size, dtype=np.float32)
        self.reward_buffer = np.zeros(size, dtype=np.float32)
        self.return_buffer = np.zeros(size, dtype=np.float32)
        self.value_buffer = np.zeros(size, dtype=np.float32)
        self.logprobability_buffer = np.zeros(size, dtype=np.float32)
        self.gamma, self.lam = gamma, lam
        self.pointer, self.trajectory_start_index = 0, 0

    def store(self, observation, action, reward, value, logprobability):
        # keras.io writes buffer[pointer] = action (a shape-(1,) tensor); NumPy 2.4 refuses
        # to put a 1-element array into one slot (TensorFlow's tensors too), so a slice
        self.observation_buffer[self.pointer] = observation
        self.action_buffer[self.pointer : self.pointer + 1] = action
        self.reward_buffer[self.pointer] = reward
        self.value_buffer[self.pointer : self.pointer + 1] = value
        self.logprobability_buffer[self.pointer : self.pointer + 1] = logprobability
        self.pointer += 1

    def finish_trajectory(self, last_value=0):
        path_slice = slice(self.trajectory_start_index, self.pointer)
        rewards = np.append(self.reward_buffer[path_slice], last_value)
        values = np.append(self.value_buffer[path_slice], last_value)
        deltas = rewards[:-1] + self.gamma * values[1:] - values[:-1]
        self.advantage_buffer[path_slice] = discounted_cumulative_sums(
            deltas, self.gamma * self.lam)
        self.return_buffer[path_slice] = discounted_cumulative_sums(rewards, self.gamma)[:-1]
        self.trajectory_start_index = self.pointer

    def get(self):
        self.pointer, self.trajectory_start_index = 0, 0
        advantage_mean, advantage_std = (np.mean(self.advantage_buffer),
                                         np.std(self.advantage_buffer))
        self.advantage_buffer = (self.advantage_buffer - advantage_mean) / advantage_std
        return (self.observation_buffer, self.action_buffer, self.advantage_buffer,
                self.return_buffer, self.logprobability_buffer)


def mlp(x, sizes, activation=tf.tanh, output_activation=None):
    for size in sizes[:-1]:
        x = layers.Dense(units=size, activation=activation)(x)
    return layers.Dense(units=sizes[-1], activation=output_activation)(x)


def logprobabilities(logits, a):
    logprobabilities_all = tf.nn.log_softmax(logits)
    logprobability = tf.reduce_sum(tf.one_hot(a, num_actions) * logprobabilities_all, axis=1)
    return logprobability


def test_ppo_on_a_stand_in_cartpole():
    keras.utils.set_random_seed(0)
    buffer = Buffer(observation_dimensions, steps_per_epoch)
    observation_input = keras.Input(shape=(observation_dimensions,), dtype=tf.float32)
    logits = mlp(observation_input, list(hidden_sizes) + [num_actions], tf.tanh, None)
    actor = keras.Model(inputs=observation_input, outputs=logits)
    value = tf.squeeze(mlp(observation_input, list(hidden_sizes) + [1], tf.tanh, None), axis=1)
    critic = keras.Model(inputs=observation_input, outputs=value)
    policy_optimizer = keras.optimizers.Adam(learning_rate=policy_learning_rate)
    value_optimizer = keras.optimizers.Adam(learning_rate=value_function_learning_rate)
    assert critic.output_shape == (None,)

    @tf.function
    def sample_action(observation):
        logits = actor(observation)
        action = tf.squeeze(tf.random.categorical(logits, 1), axis=1)
        return logits, action

    @tf.function
    def train_policy(observation_buffer, action_buffer, logprobability_buffer,
                     advantage_buffer):
        with tf.GradientTape() as tape:
            ratio = tf.exp(logprobabilities(actor(observation_buffer), action_buffer)
                           - logprobability_buffer)
            min_advantage = tf.where(advantage_buffer > 0,
                                     (1 + clip_ratio) * advantage_buffer,
                                     (1 - clip_ratio) * advantage_buffer)
            policy_loss = -tf.reduce_mean(tf.minimum(ratio * advantage_buffer, min_advantage))
        policy_grads = tape.gradient(policy_loss, actor.trainable_variables)
        policy_optimizer.apply_gradients(zip(policy_grads, actor.trainable_variables))
        kl = tf.reduce_mean(logprobability_buffer
                            - logprobabilities(actor(observation_buffer), action_buffer))
        kl = tf.reduce_sum(kl)
        return kl

    @tf.function
    def train_value_function(observation_buffer, return_buffer):
        with tf.GradientTape() as tape:
            value_loss = tf.reduce_mean((return_buffer - critic(observation_buffer)) ** 2)
        value_grads = tape.gradient(value_loss, critic.trainable_variables)
        value_optimizer.apply_gradients(zip(value_grads, critic.trainable_variables))
        return value_loss

    env = CartPoleStandIn()
    observation, episode_return, episode_length = env.reset(), 0, 0
    first_weights = [w.copy() for w in actor.get_weights()]
    for epoch in range(epochs):  # noqa: B007
        sum_return, sum_length, num_episodes = 0, 0, 0
        for t in range(steps_per_epoch):
            observation = observation.reshape(1, -1)
            logits, action = sample_action(observation)
            observation_new, reward, done, _ = env.step(action[0].numpy())
            episode_return += reward
            episode_length += 1
            value_t = critic(observation)
            logprobability_t = logprobabilities(logits, action)
            buffer.store(observation, action, reward, value_t, logprobability_t)
            observation = observation_new
            terminal = done
            if terminal or (t == steps_per_epoch - 1):
                last_value = 0 if done else critic(observation.reshape(1, -1))
                buffer.finish_trajectory(last_value)
                sum_return += episode_return
                sum_length += episode_length
                num_episodes += 1
                observation, episode_return, episode_length = env.reset(), 0, 0
        (observation_buffer, action_buffer, advantage_buffer, return_buffer,
         logprobability_buffer) = buffer.get()
        assert set(np.unique(action_buffer)) <= {0, 1}
        assert (logprobability_buffer < 0).all()
        for _ in range(train_policy_iterations):
            kl = train_policy(observation_buffer, action_buffer, logprobability_buffer,
                              advantage_buffer)
            if kl > 1.5 * target_kl:
                break
        losses = [float(train_value_function(observation_buffer, return_buffer))
                  for _ in range(train_value_iterations)]
        assert np.isfinite(float(kl)) and np.isfinite(losses).all()
        assert losses[-1] < losses[0]
        assert num_episodes >= 1 and sum_length / num_episodes > 0
    assert any(np.abs(a - b).max() > 0 for a, b in zip(actor.get_weights(), first_weights))
