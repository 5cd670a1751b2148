namespace Callscope.Dashboard.Tests.Infrastructure;

public static class People
{
    public static readonly Person Ana = new("user-ana", "Ana Ruiz", "moderator");
    public static readonly Person Ben = new("user-ben", "Ben Okafor");
    public static readonly Person Chen = new("user-chen", "Chen Wei");
    public static readonly Person Dana = new("user-dana", "Dana Levi");
    public static readonly Person Elif = new("user-elif", "Elif Demir");
}
