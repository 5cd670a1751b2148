namespace Callscope.Core.Tests; public class T { [Fact] public void Works() => Assert.True(true); }
