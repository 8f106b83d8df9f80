/** Problem sets in (MATH, GSM8K, CommonsenseQA, StrategyQA, MMLU, toy), prompts out. */
package neurosteer.data;
