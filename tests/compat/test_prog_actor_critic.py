"""keras.io "Actor Critic Method" (tf.keras 2), with a small stand-in for CartPole: one
model with two heads, episodes played inside a GradientTape (tf.convert_to_tensor,
tf.expand_dims, tf.math.log of one probability, Huber loss on single values), and the
summed losses' gradients applied once per episode."""

import numpy as np

import saessak as keras
import saessak.compat as tf
from saessak import layers


class PoleStandIn:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.state, self.t = self.rng.normal(size=4).astype("float32"), 0
        return self.state, {}

    def step(self, action):
        self.t += 1
        self.state = self.state + (0.1 if action else -0.1)
        return self.state, float(abs(self.state[0]) < 1), self.t >= 15, False, {}


def test_actor_critic_episodes():
    gamma, max_steps_per_episode = 0.99, 20
    eps = np.finfo(np.float32).eps.item()
    num_inputs, num_actions, num_hidden = 4, 2, 16
    inputs = layers.Input(shape=(num_inputs,))
    common = layers.Dense(num_hidden, activation="relu")(inputs)
    action = layers.Dense(num_actions, activation="softmax")(common)
    critic = layers.Dense(1)(common)
    model = keras.Model(inputs=inputs, outputs=[action, critic])
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    huber_loss = keras.losses.Huber()
    action_probs_history, critic_value_history, rewards_history = [], [], []
    env, rng = PoleStandIn(0), np.random.default_rng(1)
    before = [w.numpy().copy() for w in model.trainable_variables]
    for _ in range(3):
        state, _ = env.reset()
        with tf.GradientTape() as tape:
            for _ in range(1, max_steps_per_episode):
                state = tf.convert_to_tensor(state)
                state = tf.expand_dims(state, 0)
                action_probs, critic_value = model(state)
                critic_value_history.append(critic_value[0, 0])
                action = rng.choice(num_actions, p=np.squeeze(action_probs))
                action_probs_history.append(tf.math.log(action_probs[0, action]))
                state, reward, done, _, _ = env.step(action)
                rewards_history.append(reward)
                if done:
                    break
            returns, discounted_sum = [], 0
            for r in rewards_history[::-1]:
                discounted_sum = r + gamma * discounted_sum
                returns.insert(0, discounted_sum)
            returns = np.array(returns)
            returns = ((returns - np.mean(returns)) / (np.std(returns) + eps)).tolist()
            actor_losses, critic_losses = [], []
            for log_prob, value, ret in zip(action_probs_history, critic_value_history,
                                            returns):
                diff = ret - value
                actor_losses.append(-log_prob * diff)
                critic_losses.append(huber_loss(tf.expand_dims(value, 0),
                                                tf.expand_dims(ret, 0)))
            loss_value = sum(actor_losses) + sum(critic_losses)
        grads = tape.gradient(loss_value, model.trainable_variables)
        assert all(g is not None and np.isfinite(g.numpy()).all() for g in grads)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        action_probs_history.clear()
        critic_value_history.clear()
        rewards_history.clear()
    assert np.isfinite(float(loss_value))
    assert any(not np.array_equal(b, w.numpy())
               for b, w in zip(before, model.trainable_variables))
