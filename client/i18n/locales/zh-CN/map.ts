// 命名空间 map 的中文文字。
export default {};
